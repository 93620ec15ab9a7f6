#include "core/error.h"

namespace engine {

namespace {
// Indexed by ErrorCode; the static_assert keeps the table aligned with the enum.
constexpr const char* kNames[] = {
    "INVALID_ARGUMENT", "MODEL_NOT_FOUND", "FILE_MISSING",     "MODEL_INVALID", "TOKENIZER_INVALID",
    "TOKENIZER_UNSUPPORTED", "CONFIG_INVALID", "INFERENCE_FAILED", "ENGINE_CLOSED", "OVERLOADED",
    "TIMEOUT", "CANCELLED", "DEVICE_UNAVAILABLE", "INTERNAL",
};
static_assert(sizeof(kNames) / sizeof(kNames[0]) == static_cast<size_t>(ErrorCode::kCount),
              "kNames must list every ErrorCode in enum order");
}  // namespace

const char* ErrorCodeName(ErrorCode code) {
  auto index = static_cast<size_t>(code);
  return index < static_cast<size_t>(ErrorCode::kCount) ? kNames[index] : "INTERNAL";
}

}  // namespace engine
