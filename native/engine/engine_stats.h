// What the engine measures about itself, for engine.stats() and the service's Prometheus metrics.
// Counters are atomics; distributions are fixed-bucket histograms under one mutex, recorded once per batch or
// request (never per token), so the cost is negligible next to inference.
#pragma once

#include <array>
#include <atomic>
#include <mutex>
#include <string>
#include <vector>

#include "core/error.h"

namespace engine {

// Cumulative histogram data in Prometheus' shape: upper bounds, counts per bucket (the last one is +Inf), sum.
struct HistogramSnapshot {
  std::vector<double> bounds;
  std::vector<uint64_t> counts;  // bounds.size() + 1 entries, not cumulative
  uint64_t count = 0;
  double sum = 0;
};

class Histogram {
 public:
  explicit Histogram(std::vector<double> bounds);
  void Record(double value);
  HistogramSnapshot Snapshot() const;

 private:
  mutable std::mutex mutex_;
  HistogramSnapshot data_;
};

struct StatsSnapshot {
  uint64_t requests = 0;        // accepted classify/run calls
  uint64_t rows = 0;            // texts computed (cache hits excluded)
  uint64_t batches = 0;
  uint64_t cache_hits = 0;
  uint64_t cache_misses = 0;
  uint64_t queue_depth = 0;     // texts waiting (not yet in a running batch)
  uint64_t in_flight_batches = 0;
  uint64_t deliveries = 0;      // hand-overs of finished requests to the caller (one per finished batch)
  std::vector<std::pair<std::string, uint64_t>> rejections;  // by error code
  HistogramSnapshot batch_size;
  HistogramSnapshot padding_ratio;  // padded cells / all cells of a batch
  HistogramSnapshot queue_ms;
  HistogramSnapshot tokenize_ms;
  HistogramSnapshot inference_ms;
};

class EngineStats {
 public:
  EngineStats();

  std::atomic<uint64_t> requests{0};
  std::atomic<uint64_t> rows{0};
  std::atomic<uint64_t> batches{0};
  std::atomic<uint64_t> cache_hits{0};
  std::atomic<uint64_t> cache_misses{0};
  std::atomic<uint64_t> queue_depth{0};
  std::atomic<uint64_t> in_flight_batches{0};
  std::atomic<uint64_t> deliveries{0};

  Histogram batch_size;
  Histogram padding_ratio;
  Histogram queue_ms;
  Histogram tokenize_ms;
  Histogram inference_ms;

  void CountRejection(ErrorCode code);
  StatsSnapshot Snapshot() const;

 private:
  std::array<std::atomic<uint64_t>, static_cast<size_t>(ErrorCode::kCount)> rejections_{};
};

}  // namespace engine
