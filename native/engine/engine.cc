#include "engine/engine.h"

#include <cstdlib>
#include <mutex>
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

Engine::Engine(std::unique_ptr<LoadedModel> model, const BatchingOptions& batching, size_t cache_size,
               Completion on_complete)
    : model_(std::move(model)), batching_(batching), cache_(cache_size) {
  batcher_ = std::make_unique<Batcher>(*model_, batching_, stats_, cache_,
                                       [this, on_complete = std::move(on_complete)](
                                           std::vector<std::unique_ptr<Request>> requests) {
                                         for (const auto& request : requests) {
                                           if (request->kind == RequestKind::Close) close_completed_ = true;
                                         }
                                         on_complete(std::move(requests));
                                       });
  RegisterForProcessExit(this);
}

Engine::~Engine() {
  UnregisterForProcessExit(this);
  batcher_.reset();  // aborts and joins if still running
}

std::optional<EngineError> Engine::Admit(size_t texts) {
  auto error = batcher_->Admit(texts);
  if (error) stats_.CountRejection(error->code());
  return error;
}

void Engine::Submit(std::unique_ptr<Request> request) { batcher_->Submit(std::move(request)); }

void Engine::Shutdown() {
  if (close_completed_) batcher_->Join();
  else batcher_->Abort();
}

void Engine::Abort() { batcher_->Abort(); }

}  // namespace engine
