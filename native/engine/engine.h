// The engine: a loaded model, its dynamic batcher, a result cache and the statistics they keep. Requests are
// submitted from the JS thread and completed on engine threads through one callback (the binding forwards it
// to a thread-safe function).
#pragma once

#include <atomic>
#include <functional>
#include <memory>

#include "engine/batcher.h"
#include "engine/engine_stats.h"
#include "engine/loaded_model.h"
#include "engine/request.h"
#include "engine/result_cache.h"

namespace engine {

class Engine {
 public:
  using Completion = Batcher::Completion;

  Engine(std::unique_ptr<LoadedModel> model, const BatchingOptions& batching, size_t cache_size,
         Completion on_complete);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  const LoadedModel& model() const { return *model_; }
  const BatchingOptions& batching() const { return batching_; }
  StatsSnapshot Stats() const { return stats_.Snapshot(); }
  size_t cache_size() const { return cache_.size(); }

  // JS thread. OVERLOADED (counted in the stats) when the call does not fit in the queue.
  std::optional<EngineError> Admit(size_t texts);
  void Submit(std::unique_ptr<Request> request);
  // A call rejected before it reached the engine (e.g. an AbortSignal that had already fired).
  void CountRejection(ErrorCode code) { stats_.CountRejection(code); }
  // A queued request's cancellation flag was set: let the batcher drop it now. Safe from any thread.
  void Poke() { batcher_->Poke(); }
  // After a Close request completed: waits for the threads to exit. Otherwise (garbage collection, environment
  // teardown): abandons queued work and stops now.
  void Shutdown();
  // Process exit: abandons the batch in progress and every queued request, then joins. Safe from any thread.
  void Abort();

 private:
  std::unique_ptr<LoadedModel> model_;
  BatchingOptions batching_;
  EngineStats stats_;
  ResultCache cache_;
  std::unique_ptr<Batcher> batcher_;  // last: its threads use everything above
  std::atomic<bool> close_completed_{false};
};

// Process exit runs static destructors (ONNX Runtime's among them) while engine threads may still be inside a
// batch; worker-thread environments are cleaned up by the bindings, but the main thread's exit() skips that.
// Every live engine is registered here, and an atexit handler aborts and joins them all first.
void RegisterForProcessExit(Engine* engine);
void UnregisterForProcessExit(Engine* engine);

}  // namespace engine
