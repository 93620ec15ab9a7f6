#include "engine/engine.h"

namespace engine {

Engine::Engine(std::unique_ptr<LoadedModel> model, Completion on_complete)
    : model_(std::move(model)), on_complete_(std::move(on_complete)), worker_([this] { Worker(); }) {}

Engine::~Engine() { Join(); }

void Engine::Submit(std::unique_ptr<Request> request) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    queue_.push_back(std::move(request));
  }
  wake_.notify_one();
}

void Engine::Join() {
  if (!worker_.joinable()) return;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  worker_.join();
}

void Engine::Worker() {
  for (;;) {
    std::unique_ptr<Request> request;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping with nothing left
      request = std::move(queue_.front());
      queue_.pop_front();
    }
    bool last = request->kind == RequestKind::Close;
    bool abandoned = false;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      abandoned = stopping_ && !last;
    }
    if (abandoned) {
      request->error = EngineError(ErrorCode::EngineClosed, "The engine was closed before this request ran.");
    } else if (!last) {
      Process(*request);
    }
    on_complete_(std::move(request));
    if (last) return;
  }
}

void Engine::Process(Request& request) {
  try {
    if (request.kind == RequestKind::Classify) request.classification = model_->Classify(request.texts);
    else request.outputs = model_->RunAll(request.texts);
  } catch (const EngineError& error) {
    request.error = error;
  } catch (const std::exception& error) {
    request.error = EngineError(ErrorCode::Internal, std::string("Unexpected failure in the engine (this is a bug): ") + error.what());
  }
}

}  // namespace engine
