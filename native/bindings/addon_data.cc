#include "bindings/addon_data.h"

namespace bindings {

std::shared_ptr<Ort::Env> AddonData::OrtEnv() {
  if (!ort_env) ort_env = std::make_shared<Ort::Env>(ORT_LOGGING_LEVEL_WARNING, "classifier-engine");
  return ort_env;
}

}  // namespace bindings
