// JS class `Engine`: [async] load, classify, run, close; [sync] info, stats.
// The JS thread converts arguments to plain structs and resolves Promises; everything else happens on the
// engine's threads (batcher and runners), whose results come back through one thread-safe function.
#pragma once

#include <napi.h>

#include <memory>
#include <vector>

#include "engine/engine.h"

namespace bindings {

// A request plus the Promise it settles. Engine threads see only the `engine::Request` part.
struct JsRequest : engine::Request {
  explicit JsRequest(Napi::Env env) : deferred(Napi::Promise::Deferred::New(env)) {}
  Napi::Promise::Deferred deferred;
  // The caller's AbortSignal and our 'abort' listener on it, removed when the request settles.
  Napi::ObjectReference signal;
  Napi::FunctionReference abort_listener;
};

// What Engine.load hands to the constructor: the loaded model and the engine's settings.
struct LoadedBundle {
  std::unique_ptr<engine::LoadedModel> model;
  engine::BatchingOptions batching;
  size_t cache_size = 0;
};

// Requests the engine finished together (a batch's), handed to the JS thread in one thread-safe call.
using FinishedRequests = std::vector<std::unique_ptr<engine::Request>>;

class EngineWrap;
// Runs on the JS thread for each group of requests the engine finished: settles them all in one callback scope,
// so their Promise reactions run in one microtask checkpoint and the loop turns once per batch, not per request.
void CallEngineJs(Napi::Env env, Napi::Function callback, EngineWrap* self, FinishedRequests* finished);

class EngineWrap : public Napi::ObjectWrap<EngineWrap> {
 public:
  static Napi::Function DefineClass(Napi::Env env);
  // [async] Engine.load(modelDir: string, options?: object) → Promise<Engine>
  static Napi::Value Load(const Napi::CallbackInfo& info);

  // Called by load only (with the loaded model as an External); `new Engine()` from JS throws.
  explicit EngineWrap(const Napi::CallbackInfo& info);
  ~EngineWrap() override;

 private:
  friend void CallEngineJs(Napi::Env env, Napi::Function callback, EngineWrap* self, FinishedRequests* finished);
  using Tsfn = Napi::TypedThreadSafeFunction<EngineWrap, FinishedRequests, CallEngineJs>;

  // [async] classify(texts: string[], options?: {timeoutMs, signal}) → Promise<{label, score, scores}[]>
  Napi::Value Classify(const Napi::CallbackInfo& info);
  // [async] run(texts: string[], options?: {timeoutMs, signal}) → Promise<Record<string, {dims, data}>>
  Napi::Value Run(const Napi::CallbackInfo& info);
  // [sync] info() → object
  Napi::Value Info(const Napi::CallbackInfo& info);
  // [sync] stats() → counters and histograms of the batcher, cache and runners
  Napi::Value Stats(const Napi::CallbackInfo& info);
  // [async] close() → Promise<void>; finishes queued work first.
  Napi::Value Close(const Napi::CallbackInfo& info);

  Napi::Value Submit(const Napi::CallbackInfo& info, engine::RequestKind kind);
  Napi::Promise Reject(Napi::Env env, std::unique_ptr<JsRequest> request, const engine::EngineError& error);
  void Track(Napi::Env env);
  void Complete(Napi::Env env, std::unique_ptr<JsRequest> request);
  Napi::Value ClassificationsToJs(Napi::Env env, const engine::Request& request) const;
  // Stops the worker and releases the thread-safe function; idempotent.
  void Shutdown();
  static void CleanupHook(EngineWrap* self);

  std::unique_ptr<engine::Engine> engine_;
  std::vector<std::string> labels_;  // for results, so that completions never need the engine
  Tsfn tsfn_;
  bool tsfn_active_ = false;
  size_t pending_ = 0;  // requests submitted and not yet settled (JS thread only)
  bool closed_ = false;
  bool tearing_down_ = false;  // the environment's cleanup began: completions are dropped, not settled
  Napi::Reference<Napi::Promise> close_promise_;
  Napi::Env::CleanupHook<void (*)(EngineWrap*), EngineWrap> cleanup_hook_;
};

}  // namespace bindings
