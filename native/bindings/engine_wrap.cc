#include "bindings/engine_wrap.h"

#include <thread>

#include "bindings/addon_data.h"
#include "bindings/js_values.h"

namespace bindings {

namespace {

// Loads a model directory on a libuv worker thread (a one-shot job: AsyncWorker + Deferred).
class LoadWorker : public Napi::AsyncWorker {
 public:
  LoadWorker(Napi::Env env, std::shared_ptr<Ort::Env> ort_env, std::string model_dir, engine::LoadOptions options)
      : Napi::AsyncWorker(env, "EngineLoad"),
        deferred_(Napi::Promise::Deferred::New(env)),
        ort_env_(std::move(ort_env)),
        model_dir_(std::move(model_dir)),
        options_(options) {}

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
    auto external = Napi::External<engine::LoadedModel>::New(env, model_.release());
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
  load_options.session.intra_op_threads =
      static_cast<int>(ReadOptionalInteger(options, "intraOpThreads", 0, 0, max_threads, "options"));
  load_options.session.inter_op_threads =
      static_cast<int>(ReadOptionalInteger(options, "interOpThreads", 1, 0, max_threads, "options"));
  load_options.max_length =
      static_cast<size_t>(ReadOptionalInteger(options, "maxLength", 0, 0, 1 << 20, "options"));

  std::shared_ptr<Ort::Env> ort_env;
  try {
    ort_env = env.GetInstanceData<AddonData>()->OrtEnv();
  } catch (const Ort::Exception& error) {
    throw MakeError(env, engine::EngineError(engine::ErrorCode::Internal,
                                             std::string("ONNX Runtime could not start: ") + error.what()));
  }
  auto* worker = new LoadWorker(env, std::move(ort_env), std::move(model_dir), load_options);
  Napi::Promise promise = worker->Promise();
  worker->Queue();
  return promise;
}

EngineWrap::EngineWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<EngineWrap>(info) {
  Napi::Env env = info.Env();
  if (info.Length() != 1 || !info[0].IsExternal()) {
    throw Napi::TypeError::New(env, "Engine cannot be constructed directly; use Engine.load(modelDir)");
  }
  std::unique_ptr<engine::LoadedModel> model(info[0].As<Napi::External<engine::LoadedModel>>().Data());
  tsfn_ = Tsfn::New(env, "EngineCompletion", 0, 1, this);
  tsfn_.Unref(env);  // an idle engine does not keep the process alive
  tsfn_active_ = true;
  Tsfn tsfn = tsfn_;
  engine_ = std::make_unique<engine::Engine>(std::move(model), [tsfn](std::unique_ptr<engine::Request> request) mutable {
    auto* js_request = static_cast<JsRequest*>(request.release());
    if (tsfn.BlockingCall(js_request) != napi_ok) delete js_request;  // the environment is shutting down
  });
  cleanup_hook_ = env.AddCleanupHook(&EngineWrap::CleanupHook, this);
}

EngineWrap::~EngineWrap() {
  if (!cleanup_hook_.IsEmpty()) cleanup_hook_.Remove(Env());
  Shutdown();
}

void EngineWrap::CleanupHook(EngineWrap* self) {
  self->Shutdown();
  self->cleanup_hook_ = {};
}

void EngineWrap::Shutdown() {
  if (engine_) {
    engine_->Join();
    engine_.reset();
  }
  if (tsfn_active_) {
    tsfn_active_ = false;
    tsfn_.Release();
  }
}

void CallEngineJs(Napi::Env env, Napi::Function, EngineWrap* self, JsRequest* request) {
  std::unique_ptr<JsRequest> owned(request);
  if (env == nullptr || self == nullptr) return;  // the environment is going away: drop it
  self->Complete(env, std::move(owned));
}

Napi::Value EngineWrap::Submit(Napi::Env env, engine::RequestKind kind, std::vector<std::string> texts) {
  auto request = std::make_unique<JsRequest>(env);
  Napi::Promise promise = request->deferred.Promise();
  if (closed_ || !engine_) {
    request->deferred.Reject(
        MakeError(env, engine::EngineError(engine::ErrorCode::EngineClosed, "Engine is closed.")).Value());
    return promise;
  }
  if (kind != engine::RequestKind::Close && texts.empty()) {
    request->deferred.Resolve(kind == engine::RequestKind::Classify ? Napi::Array::New(env).As<Napi::Value>()
                                                                   : Napi::Object::New(env).As<Napi::Value>());
    return promise;
  }
  request->kind = kind;
  request->texts = std::move(texts);
  if (pending_++ == 0) {
    tsfn_.Ref(env);  // work in flight keeps the process (and this object) alive
    Ref();
  }
  engine_->Submit(std::move(request));
  return promise;
}

void EngineWrap::Complete(Napi::Env env, std::unique_ptr<JsRequest> request) {
  Napi::HandleScope scope(env);
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
  const auto& result = request.classification;
  const auto& config = engine_->model().config();
  size_t rows = request.texts.size();
  auto array = Napi::Array::New(env, rows);
  std::vector<Napi::String> names;
  for (size_t j = 0; j < result.num_labels; ++j) names.push_back(Napi::String::New(env, LabelName(config, j)));
  for (size_t row = 0; row < rows; ++row) {
    const float* probabilities = result.probabilities.data() + row * result.num_labels;
    size_t best = 0;
    auto scores = Napi::Object::New(env);
    for (size_t j = 0; j < result.num_labels; ++j) {
      if (probabilities[j] > probabilities[best]) best = j;
      scores.Set(names[j], static_cast<double>(probabilities[j]));
    }
    auto item = Napi::Object::New(env);
    item.Set("label", names[best]);
    item.Set("score", static_cast<double>(probabilities[best]));
    item.Set("scores", scores);
    array.Set(row, item);
  }
  return array;
}

Napi::Value EngineWrap::Classify(const Napi::CallbackInfo& info) {
  return Submit(info.Env(), engine::RequestKind::Classify, ReadStringArray(info[0], "texts"));
}

Napi::Value EngineWrap::Run(const Napi::CallbackInfo& info) {
  return Submit(info.Env(), engine::RequestKind::Run, ReadStringArray(info[0], "texts"));
}

Napi::Value EngineWrap::Close(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (closed_) return close_promise_.IsEmpty() ? env.Undefined() : close_promise_.Value();
  Napi::Value promise = Submit(env, engine::RequestKind::Close, {});
  closed_ = true;
  close_promise_ = Napi::Persistent(promise.As<Napi::Promise>());
  return promise;
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
  result.Set("executionProvider", "cpu");
  result.Set("maxLength", static_cast<double>(model.max_length()));
  return result;
}

}  // namespace bindings
