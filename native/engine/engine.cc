#include "engine/engine.h"

#include <cstdlib>
#include <unordered_set>

namespace engine {

namespace {

std::mutex& ExitMutex() {
  static auto* mutex = new std::mutex();  // leaked on purpose: used during exit, after static destructors begin
  return *mutex;
}

std::unordered_set<Engine*>& LiveEngines() {
  static auto* engines = new std::unordered_set<Engine*>();
  return *engines;
}

void AbortAllEngines() {
  std::lock_guard<std::mutex> lock(ExitMutex());
  for (Engine* engine : LiveEngines()) engine->Abort();
  LiveEngines().clear();
}

}  // namespace

void RegisterForProcessExit(Engine* engine) {
  static const bool registered = [] { return std::atexit(AbortAllEngines) == 0; }();
  (void)registered;
  std::lock_guard<std::mutex> lock(ExitMutex());
  LiveEngines().insert(engine);
}

void UnregisterForProcessExit(Engine* engine) {
  std::lock_guard<std::mutex> lock(ExitMutex());
  LiveEngines().erase(engine);
}

Engine::Engine(std::unique_ptr<LoadedModel> model, Completion on_complete)
    : model_(std::move(model)), on_complete_(std::move(on_complete)), worker_([this] { Worker(); }) {
  RegisterForProcessExit(this);
}

Engine::~Engine() {
  UnregisterForProcessExit(this);
  Join();
}

void Engine::Abort() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  model_->Terminate();
  Join();
}

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
