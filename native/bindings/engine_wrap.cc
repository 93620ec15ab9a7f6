#include "bindings/engine_wrap.h"

#include <cstring>
#include <thread>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "bindings/addon_data.h"
#include "bindings/js_values.h"

namespace bindings {

namespace {

// Hands the memory a closed engine freed back to the system. Each engine's threads allocate from their own glibc
// malloc arenas, and glibc keeps a freed arena's pages: without this, resident memory grew by about 2.4 MiB per
// load/close of the demo model (50 hot swaps: +120 MiB), with it by about 0.1 MiB (BENCHMARKS.md, "Model
// lifecycle"). Runs on the JS thread once per close, a rare event.
void ReleaseFreedMemory() {
#if defined(__GLIBC__)
  malloc_trim(0);
#endif
}

// Loads a model directory on a libuv worker thread (a one-shot job: AsyncWorker + Deferred).
class LoadWorker : public Napi::AsyncWorker {
 public:
  LoadWorker(Napi::Env env, std::shared_ptr<Ort::Env> ort_env, std::string model_dir, engine::LoadOptions options,
             engine::BatchingOptions batching, size_t cache_size)
      : Napi::AsyncWorker(env, "EngineLoad"),
        deferred_(Napi::Promise::Deferred::New(env)),
        ort_env_(std::move(ort_env)),
        model_dir_(std::move(model_dir)),
        options_(options),
        batching_(batching),
        cache_size_(cache_size) {}

  Napi::Promise Promise() { return deferred_.Promise(); }

  void Execute() override {
    try {
      model_ = engine::LoadedModel::Load(ort_env_, model_dir_, options_);
    } catch (const engine::EngineError& error) {
      error_ = error;
      SetError(error.what());
    } catch (const std::exception& error) {
      error_ = engine::EngineError(engine::ErrorCode::Internal, std::string("Unexpected failure while loading (this is a bug): ") + error.what());
      SetError(error.what());
    }
  }

  void OnOK() override {
    Napi::Env env = Env();
    auto* data = env.GetInstanceData<AddonData>();
    auto* bundle = new LoadedBundle{std::move(model_), batching_, cache_size_};
    auto external = Napi::External<LoadedBundle>::New(env, bundle);
    try {
      deferred_.Resolve(data->engine_constructor.New({external}));
    } catch (const Napi::Error& error) {
      deferred_.Reject(error.Value());
    }
  }

  void OnError(const Napi::Error&) override { deferred_.Reject(MakeError(Env(), *error_).Value()); }

 private:
  Napi::Promise::Deferred deferred_;
  std::shared_ptr<Ort::Env> ort_env_;
  std::string model_dir_;
  engine::LoadOptions options_;
  engine::BatchingOptions batching_;
  size_t cache_size_;
  std::unique_ptr<engine::LoadedModel> model_;
  std::optional<engine::EngineError> error_;
};

Napi::Array TensorSpecsToJs(Napi::Env env, const std::vector<engine::TensorSpec>& specs) {
  auto array = Napi::Array::New(env, specs.size());
  for (size_t i = 0; i < specs.size(); ++i) {
    auto spec = Napi::Object::New(env);
    spec.Set("name", specs[i].name);
    spec.Set("type", engine::ElementTypeName(specs[i].type));
    auto dims = Napi::Array::New(env, specs[i].dims.size());
    for (size_t d = 0; d < specs[i].dims.size(); ++d) dims.Set(d, static_cast<double>(specs[i].dims[d]));
    spec.Set("dims", dims);
    array.Set(i, spec);
  }
  return array;
}

std::string LabelName(const engine::ModelConfig& config, size_t index) {
  return index < config.labels.size() ? config.labels[index] : "LABEL_" + std::to_string(index);
}

}  // namespace

Napi::Function EngineWrap::DefineClass(Napi::Env env) {
  return ObjectWrap<EngineWrap>::DefineClass(env, "Engine",
                                             {
                                                 StaticMethod<&EngineWrap::Load>("load"),
                                                 InstanceMethod<&EngineWrap::Classify>("classify"),
                                                 InstanceMethod<&EngineWrap::Run>("run"),
                                                 InstanceMethod<&EngineWrap::Info>("info"),
                                                 InstanceMethod<&EngineWrap::Stats>("stats"),
                                                 InstanceMethod<&EngineWrap::Close>("close"),
                                             });
}

Napi::Value EngineWrap::Load(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string model_dir = ReadString(info[0], "modelDir");
  if (model_dir.empty()) ThrowRangeError(env, "non-empty string", "modelDir", info[0]);
  Napi::Object options = ReadOptionsObject(info[1], "options");
  engine::LoadOptions load_options;
  const int64_t max_threads = 1024;
  // Defaults, measured on CPUs (BENCHMARKS.md): two runners that split the cores between them beat one runner
  // using them all, because one batch computes while the other is cut, padded and completed.
  const int64_t cores = std::max<int64_t>(1, static_cast<int64_t>(std::thread::hardware_concurrency()));
  const int64_t runners = ReadOptionalInteger(options, "runners", cores >= 2 ? 2 : 1, 1, 64, "options");
  load_options.session.intra_op_threads = static_cast<int>(
      ReadOptionalInteger(options, "intraOpThreads", std::max<int64_t>(1, cores / runners), 0, max_threads, "options"));
  load_options.session.inter_op_threads =
      static_cast<int>(ReadOptionalInteger(options, "interOpThreads", 1, 0, max_threads, "options"));
  load_options.session.shared_threads = ReadOptionalBoolean(options, "sharedThreads", false, "options");
  load_options.max_length =
      static_cast<size_t>(ReadOptionalInteger(options, "maxLength", 0, 0, 1 << 20, "options"));
  Napi::Value device = options.Get("device");
  if (!device.IsUndefined()) {
    std::string name = device.IsString() ? device.As<Napi::String>().Utf8Value() : "";
    if (name == "cpu") load_options.session.device = engine::Device::Cpu;
    else if (name == "cuda") load_options.session.device = engine::Device::Cuda;
    else if (name == "auto") load_options.session.device = engine::Device::Auto;
    else ThrowTypeError(env, "'cpu', 'cuda' or 'auto'", "options.device", device);
  }
  load_options.session.device_id = static_cast<int>(ReadOptionalInteger(options, "deviceId", 0, 0, 1024, "options"));
  Napi::Value level = options.Get("graphOptimizationLevel");
  if (!level.IsUndefined()) {
    std::string name = level.IsString() ? level.As<Napi::String>().Utf8Value() : "";
    if (name == "disabled") load_options.session.optimization = GraphOptimizationLevel::ORT_DISABLE_ALL;
    else if (name == "basic") load_options.session.optimization = GraphOptimizationLevel::ORT_ENABLE_BASIC;
    else if (name == "extended") load_options.session.optimization = GraphOptimizationLevel::ORT_ENABLE_EXTENDED;
    else if (name == "all") load_options.session.optimization = GraphOptimizationLevel::ORT_ENABLE_ALL;
    else ThrowTypeError(env, "'disabled', 'basic', 'extended' or 'all'", "options.graphOptimizationLevel", level);
  }
  load_options.capture_features = ReadOptionalBoolean(options, "captureFeatures", false, "options");
  Napi::Value embedding_output = options.Get("embeddingOutput");
  if (!embedding_output.IsUndefined()) {
    load_options.embedding_output = ReadString(embedding_output, "options.embeddingOutput");
  }
  Napi::Value optimized = options.Get("optimizedModelPath");
  if (!optimized.IsUndefined()) load_options.session.optimized_model_path = ReadString(optimized, "options.optimizedModelPath");
  engine::BatchingOptions batching;
  batching.max_batch_size =
      static_cast<size_t>(ReadOptionalInteger(options, "maxBatchSize", 32, 1, 4096, "options"));
  batching.max_batch_tokens =
      static_cast<size_t>(ReadOptionalInteger(options, "maxBatchTokens", 16384, 1, 1 << 24, "options"));
  batching.max_wait_ms = ReadOptionalNumber(options, "maxWaitMs", 2.0, 0, 60000, "options");
  batching.queue_capacity =
      static_cast<size_t>(ReadOptionalInteger(options, "queueCapacity", 4096, 1, 1 << 24, "options"));
  batching.runners = static_cast<size_t>(runners);
  batching.max_padding_ratio = ReadOptionalNumber(options, "maxPaddingRatio", 0.1, 0, 1, "options");
  batching.thread_niceness = static_cast<int>(ReadOptionalInteger(options, "threadNiceness", 0, 0, 19, "options"));
  load_options.session.thread_niceness = batching.thread_niceness;
  auto cache_size = static_cast<size_t>(ReadOptionalInteger(options, "cacheSize", 1024, 0, 1 << 24, "options"));

  std::shared_ptr<Ort::Env> ort_env;
  try {
    ort_env = env.GetInstanceData<AddonData>()->OrtEnv(batching.thread_niceness);
  } catch (const Ort::Exception& error) {
    throw MakeError(env, engine::EngineError(engine::ErrorCode::Internal,
                                             std::string("ONNX Runtime could not start: ") + error.what()));
  }
  auto* worker = new LoadWorker(env, std::move(ort_env), std::move(model_dir), load_options, batching, cache_size);
  Napi::Promise promise = worker->Promise();
  worker->Queue();
  return promise;
}

EngineWrap::EngineWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<EngineWrap>(info) {
  Napi::Env env = info.Env();
  if (info.Length() != 1 || !info[0].IsExternal()) {
    throw Napi::TypeError::New(env, "Engine cannot be constructed directly; use Engine.load(modelDir)");
  }
  std::unique_ptr<LoadedBundle> bundle(info[0].As<Napi::External<LoadedBundle>>().Data());
  const auto& config = bundle->model->config();
  for (size_t i = 0; i < bundle->model->num_labels(); ++i) labels_.push_back(LabelName(config, i));
  tsfn_ = Tsfn::New(env, "EngineCompletion", 0, 1, this);
  tsfn_.Unref(env);  // an idle engine does not keep the process alive
  tsfn_active_ = true;
  Tsfn tsfn = tsfn_;
  engine_ = std::make_unique<engine::Engine>(
      std::move(bundle->model), bundle->batching, bundle->cache_size,
      [tsfn](FinishedRequests requests) mutable {
        auto* finished = new FinishedRequests(std::move(requests));
        if (tsfn.BlockingCall(finished) != napi_ok) delete finished;  // the environment is shutting down
      });
  cleanup_hook_ = env.AddCleanupHook(&EngineWrap::CleanupHook, this);
}

EngineWrap::~EngineWrap() {
  if (!cleanup_hook_.IsEmpty()) cleanup_hook_.Remove(Env());
  Shutdown();
}

void EngineWrap::CleanupHook(EngineWrap* self) {
  self->tearing_down_ = true;
  self->Shutdown();
  self->cleanup_hook_ = {};
}

void EngineWrap::Shutdown() {
  if (engine_) {
    engine_->Shutdown();
    engine_.reset();
    ReleaseFreedMemory();
  }
  if (tsfn_active_) {
    tsfn_active_ = false;
    tsfn_.Release();
  }
}

void CallEngineJs(Napi::Env env, Napi::Function, EngineWrap* self, FinishedRequests* finished) {
  std::unique_ptr<FinishedRequests> owned(finished);
  // The environment is going away (a worker thread was terminated): nothing can be settled any more.
  if (env == nullptr || self == nullptr || self->tearing_down_) return;
  for (auto& request : *owned) {
    // Every request the engine hands over is a JsRequest: Submit is the only way in.
    std::unique_ptr<JsRequest> js_request(static_cast<JsRequest*>(request.release()));
    try {
      self->Complete(env, std::move(js_request));
    } catch (const Napi::Error&) {
      // JS refused to run (the environment is terminating); this callback must not throw into N-API.
    }
  }
}

Napi::Promise EngineWrap::Reject(Napi::Env env, std::unique_ptr<JsRequest> request, const engine::EngineError& error) {
  request->deferred.Reject(MakeError(env, error).Value());
  return request->deferred.Promise();
}

void EngineWrap::Track(Napi::Env env) {
  if (pending_++ == 0) {
    tsfn_.Ref(env);  // work in flight keeps the process (and this object) alive
    Ref();
  }
}

Napi::Value EngineWrap::Submit(const Napi::CallbackInfo& info, engine::RequestKind kind) {
  Napi::Env env = info.Env();
  auto request = std::make_unique<JsRequest>(env);
  request->kind = kind;
  if (kind != engine::RequestKind::Close) {
    request->texts = ReadStringArray(info[0], "texts");
    Napi::Object options = ReadOptionsObject(info[1], "options");
    double timeout_ms = ReadOptionalNumber(options, "timeoutMs", 0, 0, 1e9, "options");
    if (timeout_ms > 0) {
      request->deadline = engine::Clock::now() + std::chrono::duration_cast<engine::Clock::duration>(
                                                     std::chrono::duration<double, std::milli>(timeout_ms));
    }
    Napi::Value signal = options.Get("signal");
    if (!signal.IsUndefined()) {
      if (!signal.IsObject() || !signal.As<Napi::Object>().Get("aborted").IsBoolean()) {
        ThrowTypeError(env, "AbortSignal", "options.signal", signal);
      }
      if (signal.As<Napi::Object>().Get("aborted").As<Napi::Boolean>().Value()) {
        if (engine_) engine_->CountRejection(engine::ErrorCode::Cancelled);
        return Reject(env, std::move(request),
                      engine::EngineError(engine::ErrorCode::Cancelled, "The request was cancelled before it ran."));
      }
      request->signal = Napi::Persistent(signal.As<Napi::Object>());
    }
  }
  Napi::Promise promise = request->deferred.Promise();
  if (closed_ || !engine_) {
    return Reject(env, std::move(request), engine::EngineError(engine::ErrorCode::EngineClosed, "Engine is closed."));
  }
  if (kind != engine::RequestKind::Close && request->texts.empty()) {
    request->deferred.Resolve(kind == engine::RequestKind::Classify ? Napi::Array::New(env).As<Napi::Value>()
                                                                   : Napi::Object::New(env).As<Napi::Value>());
    return promise;
  }
  if (kind != engine::RequestKind::Close) {
    if (auto overloaded = engine_->Admit(request->texts.size())) return Reject(env, std::move(request), *overloaded);
  }
  if (!request->signal.IsEmpty()) {
    // The listener only flags the request and wakes the batcher; it is removed when the request settles, and
    // this object stays alive while requests are pending, so `this` is valid whenever it runs.
    auto cancelled = request->cancelled;
    EngineWrap* self = this;
    auto listener = Napi::Function::New(env, [cancelled, self](const Napi::CallbackInfo&) {
      cancelled->store(true);
      if (self->engine_) self->engine_->Poke();
    });
    request->abort_listener = Napi::Persistent(listener);
    request->signal.Value().Get("addEventListener").As<Napi::Function>().Call(request->signal.Value(),
                                                                                {Napi::String::New(env, "abort"), listener});
  }
  Track(env);
  engine_->Submit(std::move(request));
  return promise;
}

void EngineWrap::Complete(Napi::Env env, std::unique_ptr<JsRequest> request) {
  Napi::HandleScope scope(env);
  if (!request->abort_listener.IsEmpty()) {
    Napi::Object signal = request->signal.Value();
    signal.Get("removeEventListener").As<Napi::Function>().Call(signal, {Napi::String::New(env, "abort"),
                                                                        request->abort_listener.Value()});
  }
  if (request->error) {
    request->deferred.Reject(MakeError(env, *request->error).Value());
  } else if (request->kind == engine::RequestKind::Classify) {
    request->deferred.Resolve(ClassificationsToJs(env, *request));
  } else if (request->kind == engine::RequestKind::Run) {
    auto outputs = Napi::Object::New(env);
    for (const auto& output : request->outputs) {
      auto tensor = Napi::Object::New(env);
      auto dims = Napi::Array::New(env, output.dims.size());
      for (size_t d = 0; d < output.dims.size(); ++d) dims.Set(d, static_cast<double>(output.dims[d]));
      tensor.Set("dims", dims);
      tensor.Set("data", ToFloat32Array(env, output.data));
      outputs.Set(output.name, tensor);
    }
    request->deferred.Resolve(outputs);
  } else {  // Close: every earlier request has settled (the queue is FIFO), so the worker can go.
    Shutdown();
    request->deferred.Resolve(env.Undefined());
  }
  if (--pending_ == 0) {
    if (tsfn_active_) tsfn_.Unref(env);
    Unref();
  }
}

Napi::Value EngineWrap::ClassificationsToJs(Napi::Env env, const engine::Request& request) const {
  size_t labels = request.num_labels;
  size_t rows = request.texts.size();
  auto array = Napi::Array::New(env, rows);
  // Captured embeddings: one buffer per request, each row's Float32Array a view of its slice.
  const size_t dim = request.capture ? request.embedding_dim : 0;
  Napi::ArrayBuffer embeddings;
  if (dim > 0) {
    embeddings = Napi::ArrayBuffer::New(env, request.embeddings.size() * sizeof(float));
    std::memcpy(embeddings.Data(), request.embeddings.data(), request.embeddings.size() * sizeof(float));
  }
  std::vector<Napi::String> names;
  for (size_t j = 0; j < labels; ++j) names.push_back(Napi::String::New(env, labels_.at(j)));
  for (size_t row = 0; row < rows; ++row) {
    const float* probabilities = request.probabilities.data() + row * labels;
    size_t best = 0;
    auto scores = Napi::Object::New(env);
    for (size_t j = 0; j < labels; ++j) {
      if (probabilities[j] > probabilities[best]) best = j;
      scores.Set(names[j], static_cast<double>(probabilities[j]));
    }
    auto item = Napi::Object::New(env);
    item.Set("label", names[best]);
    item.Set("score", static_cast<double>(probabilities[best]));
    item.Set("scores", scores);
    if (request.capture) {
      const engine::RowFeatures& captured = request.features.at(row);
      auto features = Napi::Object::New(env);
      if (dim > 0) features.Set("embedding", Napi::Float32Array::New(env, dim, embeddings, row * dim * sizeof(float)));
      features.Set("tokenCount", static_cast<double>(captured.token_count));
      features.Set("specialTokens", static_cast<double>(captured.special_tokens));
      features.Set("unknownTokens", static_cast<double>(captured.unknown_tokens));
      features.Set("truncated", captured.truncated);
      item.Set("features", features);
    }
    array.Set(row, item);
  }
  return array;
}

Napi::Value EngineWrap::Classify(const Napi::CallbackInfo& info) { return Submit(info, engine::RequestKind::Classify); }

Napi::Value EngineWrap::Run(const Napi::CallbackInfo& info) { return Submit(info, engine::RequestKind::Run); }

Napi::Value EngineWrap::Close(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (closed_) return close_promise_.IsEmpty() ? env.Undefined() : close_promise_.Value();
  Napi::Value promise = Submit(info, engine::RequestKind::Close);
  closed_ = true;
  close_promise_ = Napi::Persistent(promise.As<Napi::Promise>());
  return promise;
}

namespace {

Napi::Object HistogramToJs(Napi::Env env, const engine::HistogramSnapshot& histogram) {
  auto object = Napi::Object::New(env);
  auto bounds = Napi::Array::New(env, histogram.bounds.size());
  for (size_t i = 0; i < histogram.bounds.size(); ++i) bounds.Set(i, histogram.bounds[i]);
  auto counts = Napi::Array::New(env, histogram.counts.size());
  for (size_t i = 0; i < histogram.counts.size(); ++i) counts.Set(i, static_cast<double>(histogram.counts[i]));
  object.Set("bounds", bounds);
  object.Set("counts", counts);
  object.Set("count", static_cast<double>(histogram.count));
  object.Set("sum", histogram.sum);
  return object;
}

}  // namespace

Napi::Value EngineWrap::Stats(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!engine_) throw MakeError(env, engine::EngineError(engine::ErrorCode::EngineClosed, "Engine is closed."));
  engine::StatsSnapshot stats = engine_->Stats();
  auto result = Napi::Object::New(env);
  result.Set("requests", static_cast<double>(stats.requests));
  result.Set("rows", static_cast<double>(stats.rows));
  result.Set("batches", static_cast<double>(stats.batches));
  result.Set("queueDepth", static_cast<double>(stats.queue_depth));
  result.Set("inFlightBatches", static_cast<double>(stats.in_flight_batches));
  result.Set("deliveries", static_cast<double>(stats.deliveries));
  auto cache = Napi::Object::New(env);
  cache.Set("hits", static_cast<double>(stats.cache_hits));
  cache.Set("misses", static_cast<double>(stats.cache_misses));
  cache.Set("size", static_cast<double>(engine_->cache_size()));
  result.Set("cache", cache);
  auto rejections = Napi::Object::New(env);
  for (const auto& [code, count] : stats.rejections) rejections.Set(code, static_cast<double>(count));
  result.Set("rejections", rejections);
  result.Set("batchSize", HistogramToJs(env, stats.batch_size));
  result.Set("paddingRatio", HistogramToJs(env, stats.padding_ratio));
  result.Set("queueMs", HistogramToJs(env, stats.queue_ms));
  result.Set("tokenizeMs", HistogramToJs(env, stats.tokenize_ms));
  result.Set("inferenceMs", HistogramToJs(env, stats.inference_ms));
  return result;
}

Napi::Value EngineWrap::Info(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!engine_) {
    throw MakeError(env, engine::EngineError(engine::ErrorCode::EngineClosed, "Engine is closed."));
  }
  const auto& model = engine_->model();
  auto result = Napi::Object::New(env);
  result.Set("modelPath", model.path());
  result.Set("modelName", model.config().name);
  size_t num_labels = model.config().labels.size();
  auto labels = Napi::Array::New(env, num_labels);
  for (size_t i = 0; i < num_labels; ++i) labels.Set(i, model.config().labels[i]);
  result.Set("labels", labels);
  result.Set("inputs", TensorSpecsToJs(env, model.session().inputs()));
  result.Set("outputs", TensorSpecsToJs(env, model.session().outputs()));
  result.Set("executionProvider", model.session().execution_provider());
  if (!model.session().fallback_reason().empty()) {
    result.Set("executionProviderFallback", model.session().fallback_reason());
  }
  result.Set("maxLength", static_cast<double>(model.max_length()));
  const auto& batching = engine_->batching();
  auto settings = Napi::Object::New(env);
  settings.Set("maxBatchSize", static_cast<double>(batching.max_batch_size));
  settings.Set("maxBatchTokens", static_cast<double>(batching.max_batch_tokens));
  settings.Set("maxWaitMs", batching.max_wait_ms);
  settings.Set("queueCapacity", static_cast<double>(batching.queue_capacity));
  settings.Set("runners", static_cast<double>(batching.runners));
  settings.Set("intraOpThreads", model.session_settings().intra_op_threads);
  settings.Set("sharedThreads", model.session_settings().shared_threads);
  settings.Set("maxPaddingRatio", batching.max_padding_ratio);
  settings.Set("threadNiceness", batching.thread_niceness);
  result.Set("batching", settings);
  const auto& embedding = model.embedding();
  auto drift = Napi::Object::New(env);
  drift.Set("captureFeatures", model.capture_features());
  if (!embedding.output.empty()) {
    drift.Set("embeddingOutput", embedding.output);
    drift.Set("embeddingDim", static_cast<double>(embedding.dim));
    drift.Set("embeddingSource", embedding.first_token ? "first_token" : "pooled");
  } else {
    drift.Set("unavailable", embedding.unavailable);
  }
  result.Set("drift", drift);
  return result;
}

}  // namespace bindings
