#include "bindings/addon_data.h"

#include <algorithm>
#include <thread>

namespace bindings {

std::shared_ptr<Ort::Env> AddonData::OrtEnv() {
  if (!ort_env) {
    // Global pools for the sessions loaded with sharedThreads: one intra-op thread per core for every engine of
    // this addon instance together, sleeping (not spinning) between operators like the per-session threads.
    // Sessions loaded without sharedThreads keep threads of their own and never touch these.
    Ort::ThreadingOptions threading;
    threading.SetGlobalIntraOpNumThreads(static_cast<int>(std::max(1u, std::thread::hardware_concurrency())));
    threading.SetGlobalInterOpNumThreads(1);
    threading.SetGlobalSpinControl(0);
    ort_env = std::make_shared<Ort::Env>(threading, ORT_LOGGING_LEVEL_WARNING, "classifier-engine");
  }
  return ort_env;
}

}  // namespace bindings
