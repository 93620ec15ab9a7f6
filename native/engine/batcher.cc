#include "engine/batcher.h"

#include <algorithm>
#include <cstdlib>
#include <string>

#include "core/thread_name.h"
#include "core/thread_priority.h"

namespace engine {

namespace {

double MillisecondsBetween(Clock::time_point from, Clock::time_point to) {
  return std::chrono::duration<double, std::milli>(to - from).count();
}

std::optional<EngineError> DeadOrAlive(const Request& request, Clock::time_point now) {
  if (request.cancelled->load()) return EngineError(ErrorCode::Cancelled, "The request was cancelled before it ran.");
  if (request.deadline && now >= *request.deadline) {
    return EngineError(ErrorCode::Timeout, "The request's deadline passed before it could run.");
  }
  return std::nullopt;
}

}  // namespace

Batcher::Batcher(LoadedModel& model, const BatchingOptions& options, EngineStats& stats, ResultCache& cache,
                 Completion on_complete)
    : model_(model), options_(options), stats_(stats), cache_(cache), on_complete_(std::move(on_complete)) {
  options_.max_batch_size = std::max<size_t>(1, options_.max_batch_size);
  options_.max_batch_tokens = std::max<size_t>(1, options_.max_batch_tokens);
  options_.runners = std::max<size_t>(1, options_.runners);
  idle_runners_ = options_.runners;
  batcher_thread_ = std::thread([this] {
    NameThisThread("engine-batcher");
    LowerThisThreadPriority(options_.thread_niceness);
    BatcherLoop();
  });
  for (size_t i = 0; i < options_.runners; ++i) {
    runner_threads_.emplace_back([this, i] {
      NameThisThread("engine-runner-" + std::to_string(i));
      LowerThisThreadPriority(options_.thread_niceness);
      RunnerLoop();
    });
  }
}

Batcher::~Batcher() { Abort(); }

std::optional<EngineError> Batcher::Admit(size_t texts) const {
  uint64_t queued = stats_.queue_depth.load();
  if (queued > 0 && queued + texts > options_.queue_capacity) {
    return EngineError(ErrorCode::Overloaded, "The engine is overloaded: " + std::to_string(queued) +
                                                  " texts are queued and the queue holds " +
                                                  std::to_string(options_.queue_capacity) + "; retry later.");
  }
  return std::nullopt;
}

void Batcher::Submit(std::unique_ptr<Request> request) {
  if (request->kind != RequestKind::Close) {
    ++stats_.requests;
    stats_.queue_depth += request->texts.size();
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (request->kind == RequestKind::Close) close_request_ = std::move(request);
    else inbox_.push_back(std::move(request));
  }
  batcher_wake_.notify_one();
}

void Batcher::Join() {
  if (batcher_thread_.joinable()) batcher_thread_.join();
  for (auto& runner : runner_threads_) {
    if (runner.joinable()) runner.join();
  }
}

void Batcher::Abort() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    aborting_ = true;
  }
  model_.Terminate();
  batcher_wake_.notify_all();
  runner_wake_.notify_all();
  Join();
}

void Batcher::Poke() { batcher_wake_.notify_one(); }

std::vector<Batcher::Row> Batcher::Accept(Request& request) {
  std::vector<Row> rows;
  if (auto dead = DeadOrAlive(request, Clock::now())) {
    request.error = *dead;
    return rows;
  }
  if (request.kind == RequestKind::Run) return rows;  // tokenized by the runner, with the whole request
  auto started = Clock::now();
  size_t labels = model_.num_labels();
  request.num_labels = labels;
  request.probabilities.assign(request.texts.size() * labels, 0.0f);
  request.capture = model_.capture_features();
  if (request.capture) {
    request.features.assign(request.texts.size(), RowFeatures{});
    request.embedding_dim = model_.embedding().output.empty() ? 0 : model_.embedding().dim;
    request.embeddings.assign(request.texts.size() * request.embedding_dim, 0.0f);
  }
  const size_t dim = request.embedding_dim;
  try {
    for (size_t i = 0; i < request.texts.size(); ++i) {
      if (cache_.enabled()) {
        if (auto hit = cache_.Get(request.texts[i])) {
          std::copy(hit->probabilities.begin(), hit->probabilities.end(), request.probabilities.begin() + i * labels);
          if (request.capture) {
            request.features[i] = hit->features;
            if (hit->embedding.size() == dim) std::copy(hit->embedding.begin(), hit->embedding.end(), request.embeddings.begin() + i * dim);
          }
          ++request.cache_hits;
          ++stats_.cache_hits;
          continue;
        }
        ++stats_.cache_misses;
      }
      Encoding encoding = model_.Encode(request.texts[i]);
      if (request.capture) request.features[i] = model_.Describe(encoding, request.texts[i]);
      rows.push_back(Row{&request, i, std::move(encoding), Clock::now()});
    }
  } catch (const EngineError& error) {
    request.error = error;
    rows.clear();
  }
  request.tokenize_ms = MillisecondsBetween(started, Clock::now());
  return rows;
}

void Batcher::BatcherLoop() {
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    if (aborting_) return;
    std::vector<std::unique_ptr<Request>> finished;

    if (!inbox_.empty()) {
      std::deque<std::unique_ptr<Request>> incoming;
      incoming.swap(inbox_);
      lock.unlock();
      std::vector<std::vector<Row>> rows_of(incoming.size());
      for (size_t i = 0; i < incoming.size(); ++i) rows_of[i] = Accept(*incoming[i]);  // off the lock
      lock.lock();
      for (size_t i = 0; i < incoming.size(); ++i) {
        Request* request = incoming[i].get();
        Live& live = live_[request];
        live.request = std::move(incoming[i]);
        live.unfinished_rows = request->texts.size();
        if (request->error) {
          stats_.queue_depth -= request->texts.size();
          if (request->error->code() == ErrorCode::Timeout || request->error->code() == ErrorCode::Cancelled) {
            stats_.CountRejection(request->error->code());
          }
          Finish(request, finished);
        } else if (request->kind == RequestKind::Run) {
          ready_.push_back(Batch{{}, request});
          runner_wake_.notify_one();
        } else {
          size_t cached = request->texts.size() - rows_of[i].size();
          stats_.queue_depth -= cached;
          live.unfinished_rows -= cached;
          if (live.unfinished_rows == 0) Finish(request, finished);
          for (auto& row : rows_of[i]) pending_.push_back(std::move(row));
        }
      }
    }

    DropDeadRows(finished);
    auto now = Clock::now();
    bool draining = close_request_ != nullptr;
    while (idle_runners_ > ready_.size() && !pending_.empty() && (draining || ShouldDispatch(now))) {
      ready_.push_back(CutBatch());
      runner_wake_.notify_one();
    }
    if (!finished.empty()) {
      lock.unlock();
      Deliver(finished);
      lock.lock();
      continue;
    }
    if (!inbox_.empty()) continue;

    if (draining && pending_.empty() && ready_.empty() && live_.empty() && delivering_ == 0 &&
        idle_runners_ == options_.runners) {
      exiting_ = true;
      std::unique_ptr<Request> close = std::move(close_request_);
      runner_wake_.notify_all();
      lock.unlock();
      std::vector<std::unique_ptr<Request>> last;
      last.push_back(std::move(close));
      on_complete_(std::move(last));
      return;
    }

    // Every condition a wakeup stands for is re-checked under the lock before sleeping, so a notification sent
    // while this thread worked unlocked (accepting, delivering) is never lost; Abort's flag is one of them.
    if (aborting_) return;
    // Sleep until something changes: a submission, an idle runner, the oldest row's wait running out, or the
    // earliest deadline among queued rows (so that TIMEOUT is reported on time even while runners are busy).
    std::optional<Clock::time_point> wake_at;
    if (!pending_.empty()) {
      if (idle_runners_ > ready_.size()) {
        wake_at = pending_.front().queued_at +
                  std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double, std::milli>(options_.max_wait_ms));
      }
      for (const Row& row : pending_) {
        if (row.request->deadline && (!wake_at || *row.request->deadline < *wake_at)) wake_at = row.request->deadline;
      }
    }
    if (wake_at) batcher_wake_.wait_until(lock, *wake_at);
    else batcher_wake_.wait(lock);
  }
}

void Batcher::DropDeadRows(std::vector<std::unique_ptr<Request>>& finished) {
  if (pending_.empty()) return;
  auto now = Clock::now();
  std::vector<std::pair<Request*, EngineError>> dead;
  for (const Row& row : pending_) {
    if (!dead.empty() && dead.back().first == row.request) continue;
    auto it = live_.find(row.request);
    if (it == live_.end() || row.request->error) continue;
    if (auto error = DeadOrAlive(*row.request, now)) {
      if (std::none_of(dead.begin(), dead.end(), [&](const auto& d) { return d.first == row.request; })) {
        dead.emplace_back(row.request, *error);
      }
    }
  }
  for (auto& [request, error] : dead) {
    stats_.CountRejection(error.code());
    Fail(live_.at(request), error, finished);
  }
}

bool Batcher::ShouldDispatch(Clock::time_point now) const {
  if (pending_.size() >= options_.max_batch_size) return true;
  if (MillisecondsBetween(pending_.front().queued_at, now) >= options_.max_wait_ms) return true;
  size_t longest = 0;
  for (const Row& row : pending_) longest = std::max(longest, row.encoding.size());
  return longest * pending_.size() >= options_.max_batch_tokens;
}

Batcher::Batch Batcher::CutBatch() {
  // Anchor on the oldest row, then take the rows closest to it in length while the caps allow.
  const size_t anchor_length = pending_.front().encoding.size();
  std::vector<size_t> order(pending_.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  auto distance = [&](size_t i) {
    size_t length = pending_[i].encoding.size();
    return length > anchor_length ? length - anchor_length : anchor_length - length;
  };
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return distance(a) < distance(b); });
  // The candidates the caps allow, in order of closeness to the anchor.
  std::vector<size_t> candidates;
  std::vector<size_t> longest_so_far;
  size_t longest = 0;
  for (size_t i : order) {
    if (candidates.size() == options_.max_batch_size) break;
    size_t new_longest = std::max(longest, pending_[i].encoding.size());
    if (!candidates.empty() && new_longest * (candidates.size() + 1) > options_.max_batch_tokens) continue;
    candidates.push_back(i);
    longest = new_longest;
    longest_so_far.push_back(longest);
  }
  // How many to take: the longest prefix whose padded cells stay within max_padding_ratio of the batch, so
  // a long tail of mismatched rows is left for a batch of its own kind. The anchor always goes.
  size_t count = 1;
  size_t real_cells = pending_[candidates[0]].encoding.size();
  for (size_t k = 2; k <= candidates.size(); ++k) {
    real_cells += pending_[candidates[k - 1]].encoding.size();
    double padded = static_cast<double>(k * longest_so_far[k - 1]);
    if (1.0 - static_cast<double>(real_cells) / padded <= options_.max_padding_ratio) count = k;
  }
  std::vector<bool> chosen(pending_.size(), false);
  for (size_t k = 0; k < count; ++k) chosen[candidates[k]] = true;
  Batch batch;
  std::vector<Row> rest;
  rest.reserve(pending_.size() - count);
  for (size_t i = 0; i < pending_.size(); ++i) {
    if (chosen[i]) {
      ++live_.at(pending_[i].request).running_rows;
      batch.rows.push_back(std::move(pending_[i]));
    } else {
      rest.push_back(std::move(pending_[i]));
    }
  }
  pending_ = std::move(rest);
  stats_.queue_depth -= batch.rows.size();
  return batch;
}

void Batcher::RunnerLoop() {
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    runner_wake_.wait(lock, [this] { return aborting_ || exiting_ || !ready_.empty(); });
    if (aborting_ || ready_.empty()) return;
    Batch batch = std::move(ready_.front());
    ready_.pop_front();
    --idle_runners_;
    ++stats_.in_flight_batches;
    if (batch.solo) {
      live_.at(batch.solo).running_rows = batch.solo->texts.size();
      stats_.queue_depth -= batch.solo->texts.size();
    }
    lock.unlock();

    auto started = Clock::now();
    std::optional<EngineError> error;
    try {
      if (batch.solo) RunSolo(*batch.solo);
      else RunBatch(batch);
    } catch (const EngineError& e) {
      error = e;
    } catch (const std::exception& e) {
      error = EngineError(ErrorCode::Internal, std::string("Unexpected failure while running a batch (this is a bug): ") + e.what());
    }
    double inference_ms = MillisecondsBetween(started, Clock::now());
    stats_.inference_ms.Record(inference_ms);

    lock.lock();
    std::vector<std::unique_ptr<Request>> finished;
    auto settle = [&](Request* request, size_t rows) {
      Live& live = live_.at(request);
      request->queue_ms = std::max(request->queue_ms, MillisecondsBetween(request->submitted_at, started));
      request->inference_ms = std::max(request->inference_ms, inference_ms);
      live.running_rows -= rows;
      live.unfinished_rows -= rows;
      if (error && !request->error) Fail(live, *error, finished);
      else if (live.unfinished_rows == 0 || (request->error && live.running_rows == 0)) Finish(request, finished);
    };
    if (batch.solo) {
      settle(batch.solo, batch.solo->texts.size());
    } else {
      // Rows of one request sit next to each other rarely; settle each row, a request finishes once.
      for (const Row& row : batch.rows) {
        if (live_.count(row.request)) settle(row.request, 1);
      }
    }
    ++idle_runners_;
    --stats_.in_flight_batches;
    lock.unlock();
    Deliver(finished);
    lock.lock();
    batcher_wake_.notify_one();
  }
}

void Batcher::RunBatch(Batch& batch) {
  std::vector<const Encoding*> encodings;
  size_t real_tokens = 0;
  for (const Row& row : batch.rows) {
    encodings.push_back(&row.encoding);
    real_tokens += row.encoding.size();
  }
  BatchTensors tensors = model_.Pad(encodings);
  ++stats_.batches;
  stats_.rows += batch.rows.size();
  stats_.batch_size.Record(static_cast<double>(batch.rows.size()));
  stats_.padding_ratio.Record(1.0 - static_cast<double>(real_tokens) / static_cast<double>(tensors.rows * tensors.length));
  // Every row of an engine captures or none does (the setting is fixed at load).
  const bool capture = model_.capture_features();
  ForwardResult forward = model_.Forward(tensors, capture);
  const std::vector<float>& probabilities = forward.probabilities;
  size_t labels = model_.num_labels();
  size_t dim = batch.rows.empty() ? 0 : forward.embeddings.size() / batch.rows.size();
  for (size_t r = 0; r < batch.rows.size(); ++r) {
    const Row& row = batch.rows[r];
    Request& request = *row.request;
    // Each row owns a distinct slice of its request's results: no lock needed to write it.
    auto slice = probabilities.begin() + r * labels;
    std::copy(slice, slice + labels, request.probabilities.begin() + row.index * labels);
    CachedRow cached{std::vector<float>(slice, slice + labels), {}, {}};
    if (capture && dim > 0 && dim == request.embedding_dim) {
      auto vector = forward.embeddings.begin() + r * dim;
      std::copy(vector, vector + dim, request.embeddings.begin() + row.index * dim);
      if (cache_.enabled()) cached.embedding.assign(vector, vector + dim);
    }
    if (capture) cached.features = request.features[row.index];
    cache_.Put(request.texts[row.index], std::move(cached));
  }
}

void Batcher::RunSolo(Request& request) {
  ++stats_.batches;
  stats_.rows += request.texts.size();
  stats_.batch_size.Record(static_cast<double>(request.texts.size()));
  request.outputs = model_.RunAll(request.texts);
}

void Batcher::Fail(Live& live, const EngineError& error, std::vector<std::unique_ptr<Request>>& finished) {
  Request* request = live.request.get();
  if (!request->error) request->error = error;
  size_t before = pending_.size();
  pending_.erase(std::remove_if(pending_.begin(), pending_.end(), [&](const Row& row) { return row.request == request; }),
                 pending_.end());
  size_t dropped = before - pending_.size();
  stats_.queue_depth -= dropped;
  live.unfinished_rows -= dropped;
  if (live.running_rows == 0) Finish(request, finished);
}

void Batcher::Finish(Request* request, std::vector<std::unique_ptr<Request>>& finished) {
  auto it = live_.find(request);
  if (it == live_.end()) return;
  if (!request->error) RecordRequest(*request);
  finished.push_back(std::move(it->second.request));
  live_.erase(it);
  ++delivering_;
}

void Batcher::Deliver(std::vector<std::unique_ptr<Request>>& finished) {
  const size_t delivered = finished.size();
  ++stats_.deliveries;
  on_complete_(std::move(finished));
  finished.clear();  // moved from: valid but unspecified, and the caller may reuse it
  std::lock_guard<std::mutex> lock(mutex_);
  delivering_ -= delivered;
  if (delivering_ == 0) batcher_wake_.notify_one();
}

void Batcher::RecordRequest(const Request& request) {
  stats_.queue_ms.Record(request.queue_ms);
  stats_.tokenize_ms.Record(request.tokenize_ms);
}

}  // namespace engine
