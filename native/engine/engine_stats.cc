#include "engine/engine_stats.h"

#include <algorithm>

namespace engine {

namespace {
const std::vector<double> kMillisecondBounds = {0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000};
}  // namespace

Histogram::Histogram(std::vector<double> bounds) {
  data_.bounds = std::move(bounds);
  data_.counts.assign(data_.bounds.size() + 1, 0);
}

void Histogram::Record(double value) {
  size_t bucket = std::lower_bound(data_.bounds.begin(), data_.bounds.end(), value) - data_.bounds.begin();
  std::lock_guard<std::mutex> lock(mutex_);
  ++data_.counts[bucket];
  ++data_.count;
  data_.sum += value;
}

HistogramSnapshot Histogram::Snapshot() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return data_;
}

EngineStats::EngineStats()
    : batch_size({1, 2, 4, 8, 16, 32, 64, 128, 256}),
      padding_ratio({0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9}),
      queue_ms(kMillisecondBounds),
      tokenize_ms(kMillisecondBounds),
      inference_ms(kMillisecondBounds) {}

void EngineStats::CountRejection(ErrorCode code) { ++rejections_[static_cast<size_t>(code)]; }

StatsSnapshot EngineStats::Snapshot() const {
  StatsSnapshot s;
  s.requests = requests;
  s.rows = rows;
  s.batches = batches;
  s.cache_hits = cache_hits;
  s.cache_misses = cache_misses;
  s.queue_depth = queue_depth;
  s.in_flight_batches = in_flight_batches;
  s.deliveries = deliveries;
  for (size_t i = 0; i < rejections_.size(); ++i) {
    uint64_t count = rejections_[i];
    if (count > 0) s.rejections.emplace_back(ErrorCodeName(static_cast<ErrorCode>(i)), count);
  }
  s.batch_size = batch_size.Snapshot();
  s.padding_ratio = padding_ratio.Snapshot();
  s.queue_ms = queue_ms.Snapshot();
  s.tokenize_ms = tokenize_ms.Snapshot();
  s.inference_ms = inference_ms.Snapshot();
  return s;
}

}  // namespace engine
