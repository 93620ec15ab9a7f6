// One unit of work handed from the JS thread to the engine's worker: plain C++ data only. The binding
// derives from it to carry its Promise, which the worker never touches.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/error.h"
#include "engine/loaded_model.h"

namespace engine {

enum class RequestKind { Classify, Run, Close };

struct Request {
  virtual ~Request() = default;

  RequestKind kind = RequestKind::Classify;
  std::vector<std::string> texts;

  // Filled by the worker.
  ClassifyResult classification;
  std::vector<OutputTensor> outputs;
  std::optional<EngineError> error;
};

}  // namespace engine
