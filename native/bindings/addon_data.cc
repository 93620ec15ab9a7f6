#include "bindings/addon_data.h"

#include <algorithm>
#include <thread>

#include "engine/onnx_session.h"

namespace bindings {

std::shared_ptr<Ort::Env> AddonData::OrtEnv(int shared_thread_niceness) {
  if (!ort_env) {
    // Global pools for the sessions loaded with sharedThreads: one intra-op thread per core for every engine of
    // this addon instance together, sleeping (not spinning) between operators like the per-session threads.
    // Sessions loaded without sharedThreads keep threads of their own and never touch these.
    Ort::ThreadingOptions threading;
    threading.SetGlobalIntraOpNumThreads(static_cast<int>(std::max(1u, std::thread::hardware_concurrency())));
    threading.SetGlobalInterOpNumThreads(1);
    threading.SetGlobalSpinControl(0);
    if (shared_thread_niceness > 0) {
      threading.SetGlobalCustomCreateThreadFn(engine::CreateNicedOrtThread);
      threading.SetGlobalCustomThreadCreationOptions(engine::NicenessAsThreadCreationOptions(shared_thread_niceness));
      threading.SetGlobalCustomJoinThreadFn(engine::JoinNicedOrtThread);
    }
    ort_env = std::make_shared<Ort::Env>(threading, ORT_LOGGING_LEVEL_WARNING, "classifier-engine");
  }
  return ort_env;
}

}  // namespace bindings
