// Per-addon-instance state (no globals), so the addon is safe to load in several worker threads.
#pragma once

#include <napi.h>
#include <onnxruntime_cxx_api.h>

#include <memory>

namespace bindings {

struct AddonData {
  Napi::FunctionReference engine_constructor;
  Napi::FunctionReference tokenizer_constructor;
  // Created on first use; every loaded model holds a reference, so it outlives the sessions that run on it.
  std::shared_ptr<Ort::Env> ort_env;

  // The shared pools are created with the first call, so their threads take that call's niceness (an engine's
  // threadNiceness); every engine of one service is loaded with the same settings.
  std::shared_ptr<Ort::Env> OrtEnv(int shared_thread_niceness);
};

}  // namespace bindings
