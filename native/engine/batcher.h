// The dynamic batcher: one thread owns the queue, tokenizes incoming texts, and cuts batches for a pool of
// runner threads that execute them on the shared ONNX Runtime session.
//
// - Batches are capped by rows (max_batch_size) and by a token budget (longest row x rows, max_batch_tokens),
//   wait at most max_wait_ms for more rows, and are padded to their longest member only.
// - A batch is anchored on the oldest waiting row (so nothing starves) and filled with the rows closest to it
//   in length (so padding stays small): it takes as many as the caps allow while the padded share of its cells
//   stays within max_padding_ratio.
// - The queue is bounded (queue_capacity texts): beyond it a call is rejected at once with OVERLOADED.
//   Expired deadlines (TIMEOUT) and cancellations (CANCELLED) are rejected before they cost compute.
// - Rows of different callers share batches; each result goes back to its own request, and a request
//   completes (through the completion callback, on an engine thread) once all its rows are done.
// - run() requests (every output of the model) are computed alone, as their own batch.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

#include "engine/engine_stats.h"
#include "engine/loaded_model.h"
#include "engine/request.h"
#include "engine/result_cache.h"

namespace engine {

struct BatchingOptions {
  size_t max_batch_size = 32;
  size_t max_batch_tokens = 16384;
  double max_wait_ms = 2.0;
  size_t queue_capacity = 4096;
  size_t runners = 1;
  // Padding is wasted compute on a CPU: a batch stops growing when padding would exceed this share of its cells.
  double max_padding_ratio = 0.1;
  // Nice levels the batcher and runner threads run below the process (0-19): on a machine where the engine's
  // threads and the JS thread share cores, the event loop then gets a core first when both want one. CFS shares
  // CPU by weight (each level is about 10%), so the engine still gets the rest: nothing starves.
  int thread_niceness = 0;
};

class Batcher {
 public:
  // Called on an engine thread with requests that finished together: all those a batch completed, in one call, so
  // that the JS thread settles them in one turn of its loop (and its group commit takes them as one group). The
  // Close request comes last of all, alone.
  using Completion = std::function<void(std::vector<std::unique_ptr<Request>>)>;

  Batcher(LoadedModel& model, const BatchingOptions& options, EngineStats& stats, ResultCache& cache,
          Completion on_complete);
  ~Batcher();
  Batcher(const Batcher&) = delete;
  Batcher& operator=(const Batcher&) = delete;

  // JS thread, before Submit: OVERLOADED when `texts` more texts do not fit in the queue. A call larger than
  // the whole queue is still accepted when the queue is empty, so that big batch calls remain possible.
  std::optional<EngineError> Admit(size_t texts) const;
  void Submit(std::unique_ptr<Request> request);
  // Waits until the threads have exited (after a Close request was completed).
  void Join();
  // Process exit: stops the batch in progress and abandons queued work. Safe from any thread.
  void Abort();
  // Wakes the batcher to look at its queue again (a request was cancelled). Safe from any thread.
  void Poke();

 private:
  struct Row {
    Request* request;
    size_t index;  // which of the request's texts
    Encoding encoding;
    Clock::time_point queued_at;
  };
  struct Batch {
    std::vector<Row> rows;
    Request* solo = nullptr;  // a run() request, computed alone
  };
  struct Live {
    std::unique_ptr<Request> request;
    size_t unfinished_rows = 0;  // queued or running
    size_t running_rows = 0;
  };

  void BatcherLoop();
  void RunnerLoop();
  // Tokenizes a new request (cache hits complete their rows at once); returns its rows for the queue.
  std::vector<Row> Accept(Request& request);
  void DropDeadRows(std::vector<std::unique_ptr<Request>>& finished);
  bool ShouldDispatch(Clock::time_point now) const;
  Batch CutBatch();
  void RunBatch(Batch& batch);
  void RunSolo(Request& request);
  // Marks a request failed; it completes once none of its rows are running.
  void Fail(Live& live, const EngineError& error, std::vector<std::unique_ptr<Request>>& finished);
  void Finish(Request* request, std::vector<std::unique_ptr<Request>>& finished);
  void Deliver(std::vector<std::unique_ptr<Request>>& finished);
  void RecordRequest(const Request& request);

  LoadedModel& model_;
  BatchingOptions options_;
  EngineStats& stats_;
  ResultCache& cache_;
  Completion on_complete_;

  std::mutex mutex_;
  std::condition_variable batcher_wake_;
  std::condition_variable runner_wake_;
  std::deque<std::unique_ptr<Request>> inbox_;
  std::vector<Row> pending_;  // tokenized rows in arrival order
  std::deque<Batch> ready_;   // cut batches waiting for a runner
  std::unordered_map<Request*, Live> live_;
  std::unique_ptr<Request> close_request_;
  size_t idle_runners_ = 0;
  size_t delivering_ = 0;  // finished requests handed out but not yet through on_complete_
  bool exiting_ = false;   // Close completed: threads leave
  bool aborting_ = false;  // process exit: leave now

  std::thread batcher_thread_;
  std::vector<std::thread> runner_threads_;
};

}  // namespace engine
