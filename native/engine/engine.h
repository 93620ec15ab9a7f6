// The engine: a loaded model and the worker thread that runs it. Requests are queued from the JS thread and
// completed on the worker thread through one callback (the binding forwards it to a thread-safe function).
//
// This first cut runs each request as its own batch; the dynamic batcher (cross-request batches, deadlines,
// overload) replaces the loop in Worker() without changing this interface.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include "engine/loaded_model.h"
#include "engine/request.h"

namespace engine {

class Engine {
 public:
  // Called on the worker thread with each finished request (including the Close request, last).
  using Completion = std::function<void(std::unique_ptr<Request>)>;

  Engine(std::unique_ptr<LoadedModel> model, Completion on_complete);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  const LoadedModel& model() const { return *model_; }

  // Queues a request. After a Close request, nothing else is accepted (the caller checks first).
  void Submit(std::unique_ptr<Request> request);
  // Waits for the worker thread to exit (after it completed a Close request), or stops it when no Close was
  // submitted: queued requests then complete with ENGINE_CLOSED.
  void Join();
  // Process exit: abandons the batch in progress and every queued request, then joins. Safe from any thread.
  void Abort();

 private:
  void Worker();
  void Process(Request& request);

  std::unique_ptr<LoadedModel> model_;
  Completion on_complete_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::unique_ptr<Request>> queue_;
  bool stopping_ = false;
  std::thread worker_;
};

// Process exit runs static destructors (ONNX Runtime's among them) while engine threads may still be inside a
// batch; worker-thread environments are cleaned up by the bindings, but the main thread's exit() skips that.
// Every live engine is registered here, and an atexit handler aborts and joins them all first.
void RegisterForProcessExit(Engine* engine);
void UnregisterForProcessExit(Engine* engine);

}  // namespace engine
