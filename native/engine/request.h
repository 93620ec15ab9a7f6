// One call from JS (classify, run or close) on its way through the engine: plain C++ data only. The binding
// derives from it to carry its Promise, which engine threads never touch.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/error.h"
#include "engine/loaded_model.h"
#include "engine/row_features.h"

namespace engine {

using Clock = std::chrono::steady_clock;

enum class RequestKind { Classify, Run, Close };

struct Request {
  virtual ~Request() = default;

  RequestKind kind = RequestKind::Classify;
  std::vector<std::string> texts;
  // Past this point the request is rejected with TIMEOUT instead of being computed.
  std::optional<Clock::time_point> deadline;
  // Set from the JS thread (AbortSignal); a queued request is then rejected with CANCELLED.
  std::shared_ptr<std::atomic<bool>> cancelled = std::make_shared<std::atomic<bool>>(false);
  Clock::time_point submitted_at = Clock::now();

  // Results, written by engine threads. Classify: probabilities [texts x num_labels], row-major.
  size_t num_labels = 0;
  std::vector<float> probabilities;
  std::vector<OutputTensor> outputs;  // Run
  // Drift capture (Classify, when the engine captures): per text its features and, when the model has an
  // embedding output, its embedding [texts x embedding_dim].
  bool capture = false;
  std::vector<RowFeatures> features;
  size_t embedding_dim = 0;
  std::vector<float> embeddings;
  std::optional<EngineError> error;

  // Where the time went, in milliseconds (the slowest row's figures for multi-text requests).
  double tokenize_ms = 0;
  double queue_ms = 0;
  double inference_ms = 0;
  size_t cache_hits = 0;
};

}  // namespace engine
