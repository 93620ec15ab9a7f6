// One error taxonomy for the whole engine: every failure that can reach JS carries one of these codes.
// The service maps each code to an HTTP status in exactly one place (src/common/errors).
#pragma once

#include <stdexcept>
#include <string>

namespace engine {

enum class ErrorCode {
  InvalidArgument,
  ModelNotFound,
  FileMissing,
  ModelInvalid,
  TokenizerInvalid,
  TokenizerUnsupported,
  ConfigInvalid,
  InferenceFailed,
  EngineClosed,
  Overloaded,
  Timeout,
  Cancelled,
  DeviceUnavailable,
  Internal,
  kCount,  // keep last: sizes the name table
};

// The stable string form of a code, as JS sees it in `error.code`.
const char* ErrorCodeName(ErrorCode code);

// Thrown inside the engine; converted to a JS Error with `code` at the boundary.
class EngineError : public std::runtime_error {
 public:
  EngineError(ErrorCode code, const std::string& message) : std::runtime_error(message), code_(code) {}
  ErrorCode code() const { return code_; }

 private:
  ErrorCode code_;
};

}  // namespace engine
