// Entry point of the native addon: registers the JS classes and the per-instance state.
#include <napi.h>

#include "bindings/addon_data.h"
#include "bindings/engine_wrap.h"
#include "bindings/tokenizer_wrap.h"
#include "core/error.h"

namespace {

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  auto* data = new bindings::AddonData();
  env.SetInstanceData(data);  // deleted by node-addon-api when the environment goes away
  Napi::Function engine_class = bindings::EngineWrap::DefineClass(env);
  Napi::Function tokenizer_class = bindings::TokenizerWrap::DefineClass(env);
  data->engine_constructor = Napi::Persistent(engine_class);
  data->tokenizer_constructor = Napi::Persistent(tokenizer_class);
  exports.Set("Engine", engine_class);
  exports.Set("Tokenizer", tokenizer_class);

  auto codes = Napi::Array::New(env);
  for (size_t i = 0; i < static_cast<size_t>(engine::ErrorCode::kCount); ++i) {
    codes.Set(i, engine::ErrorCodeName(static_cast<engine::ErrorCode>(i)));
  }
  exports.Set("ERROR_CODES", codes);
  return exports;
}

}  // namespace

NODE_API_MODULE(classifier_engine, Init)
