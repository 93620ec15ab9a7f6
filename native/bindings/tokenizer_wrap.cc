#include "bindings/tokenizer_wrap.h"

#include "bindings/addon_data.h"
#include "bindings/js_values.h"

namespace bindings {

namespace {

using Input = std::pair<std::string, std::optional<std::string>>;
using TokenizerPtr = std::shared_ptr<const engine::Tokenizer>;

// Holds a loaded tokenizer between the worker thread and the constructor.
struct TokenizerHandle {
  TokenizerPtr tokenizer;
};

// Shared shape of the async jobs below: run `Work` off the JS thread, map EngineError to a coded JS error.
class TokenizerJob : public Napi::AsyncWorker {
 public:
  explicit TokenizerJob(Napi::Env env, const char* name)
      : Napi::AsyncWorker(env, name), deferred_(Napi::Promise::Deferred::New(env)) {}
  Napi::Promise Promise() { return deferred_.Promise(); }

  void Execute() override {
    try {
      Work();
    } catch (const engine::EngineError& error) {
      error_ = error;
      SetError(error.what());
    } catch (const std::exception& error) {
      error_ = engine::EngineError(engine::ErrorCode::Internal, std::string("Unexpected tokenizer failure (this is a bug): ") + error.what());
      SetError(error.what());
    }
  }
  void OnError(const Napi::Error&) override { deferred_.Reject(MakeError(Env(), *error_).Value()); }

 protected:
  virtual void Work() = 0;
  Napi::Promise::Deferred deferred_;

 private:
  std::optional<engine::EngineError> error_;
};

class LoadJob : public TokenizerJob {
 public:
  LoadJob(Napi::Env env, std::string path) : TokenizerJob(env, "TokenizerLoad"), path_(std::move(path)) {}
  void Work() override { tokenizer_ = engine::Tokenizer::FromFile(path_); }
  void OnOK() override {
    Napi::Env env = Env();
    auto* handle = new TokenizerHandle{std::move(tokenizer_)};
    auto external = Napi::External<TokenizerHandle>::New(env, handle);
    try {
      deferred_.Resolve(env.GetInstanceData<AddonData>()->tokenizer_constructor.New({external}));
    } catch (const Napi::Error& error) {
      deferred_.Reject(error.Value());
    }
  }

 private:
  std::string path_;
  TokenizerPtr tokenizer_;
};

// An encoding plus its token strings, all computed off the JS thread.
struct EncodedInput {
  engine::Encoding encoding;
  std::vector<std::string> tokens;
};

class EncodeJob : public TokenizerJob {
 public:
  EncodeJob(Napi::Env env, TokenizerPtr tokenizer, std::vector<Input> inputs, engine::EncodeSettings settings,
            bool single)
      : TokenizerJob(env, "TokenizerEncode"),
        tokenizer_(std::move(tokenizer)),
        inputs_(std::move(inputs)),
        settings_(std::move(settings)),
        single_(single) {}

  void Work() override {
    auto encodings = tokenizer_->EncodeBatch(inputs_, settings_);
    results_.reserve(encodings.size());
    for (auto& encoding : encodings) {
      EncodedInput result;
      result.tokens.reserve(encoding.size());
      for (size_t i = 0; i < encoding.ids.size(); ++i) {
        const std::string* text = encoding.TextOf(i);
        result.tokens.push_back(text ? *text : tokenizer_->IdToToken(encoding.ids[i]));
      }
      result.encoding = std::move(encoding);
      results_.push_back(std::move(result));
    }
  }

  void OnOK() override {
    Napi::Env env = Env();
    if (single_) {
      deferred_.Resolve(ToJs(env, results_.at(0)));
      return;
    }
    auto array = Napi::Array::New(env, results_.size());
    for (size_t i = 0; i < results_.size(); ++i) array.Set(i, ToJs(env, results_[i]));
    deferred_.Resolve(array);
  }

 private:
  static Napi::Object ToJs(Napi::Env env, const EncodedInput& input) {
    const auto& encoding = input.encoding;
    auto object = Napi::Object::New(env);
    object.Set("ids", ToUint32Array(env, encoding.ids));
    object.Set("typeIds", ToUint32Array(env, encoding.type_ids));
    object.Set("attentionMask", ToUint32Array(env, encoding.attention_mask));
    object.Set("specialTokensMask", ToUint32Array(env, encoding.special_tokens_mask));
    auto offsets = Napi::Array::New(env, encoding.offsets.size());
    auto tokens = Napi::Array::New(env, input.tokens.size());
    for (size_t i = 0; i < encoding.offsets.size(); ++i) {
      auto pair = Napi::Array::New(env, 2);
      pair.Set(uint32_t{0}, encoding.offsets[i].begin);
      pair.Set(uint32_t{1}, encoding.offsets[i].end);
      offsets.Set(i, pair);
      tokens.Set(i, input.tokens[i]);
    }
    object.Set("offsets", offsets);
    object.Set("tokens", tokens);
    return object;
  }

  TokenizerPtr tokenizer_;
  std::vector<Input> inputs_;
  engine::EncodeSettings settings_;
  bool single_;
  std::vector<EncodedInput> results_;
};

engine::EncodeSettings ReadSettings(const engine::Tokenizer& tokenizer, Napi::Value value) {
  Napi::Object options = ReadOptionsObject(value, "options");
  engine::EncodeSettings settings = tokenizer.DefaultSettings();
  settings.add_special_tokens = ReadOptionalBoolean(options, "addSpecialTokens", true, "options");
  return settings;
}

}  // namespace

Napi::Function TokenizerWrap::DefineClass(Napi::Env env) {
  return ObjectWrap<TokenizerWrap>::DefineClass(env, "Tokenizer",
                                                {
                                                    StaticMethod<&TokenizerWrap::FromFile>("fromFile"),
                                                    InstanceMethod<&TokenizerWrap::Encode>("encode"),
                                                    InstanceMethod<&TokenizerWrap::EncodeBatch>("encodeBatch"),
                                                });
}

Napi::Value TokenizerWrap::FromFile(const Napi::CallbackInfo& info) {
  std::string path = ReadString(info[0], "path");
  if (path.empty()) ThrowRangeError(info.Env(), "non-empty string", "path", info[0]);
  auto* job = new LoadJob(info.Env(), std::move(path));
  Napi::Promise promise = job->Promise();
  job->Queue();
  return promise;
}

TokenizerWrap::TokenizerWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<TokenizerWrap>(info) {
  if (info.Length() != 1 || !info[0].IsExternal()) {
    throw Napi::TypeError::New(info.Env(), "Tokenizer cannot be constructed directly; use Tokenizer.fromFile(path)");
  }
  auto* handle = info[0].As<Napi::External<TokenizerHandle>>().Data();
  tokenizer_ = std::move(handle->tokenizer);
  delete handle;
}

Napi::Value TokenizerWrap::Encode(const Napi::CallbackInfo& info) {
  Input input{ReadString(info[0], "text"), std::nullopt};
  if (!info[1].IsUndefined() && !info[1].IsNull()) input.second = ReadString(info[1], "pair");
  engine::EncodeSettings settings = ReadSettings(*tokenizer_, info[2]);
  auto* job = new EncodeJob(info.Env(), tokenizer_, {std::move(input)}, std::move(settings), true);
  Napi::Promise promise = job->Promise();
  job->Queue();
  return promise;
}

Napi::Value TokenizerWrap::EncodeBatch(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsArray()) ThrowTypeError(env, "array of strings or [string, string] pairs", "inputs", info[0]);
  auto array = info[0].As<Napi::Array>();
  std::vector<Input> inputs;
  inputs.reserve(array.Length());
  for (uint32_t i = 0; i < array.Length(); ++i) {
    Napi::Value item = array.Get(i);
    std::string name = "inputs[" + std::to_string(i) + "]";
    if (item.IsString()) {
      inputs.emplace_back(item.As<Napi::String>().Utf8Value(), std::nullopt);
    } else if (item.IsArray() && item.As<Napi::Array>().Length() == 2) {
      auto pair = item.As<Napi::Array>();
      inputs.emplace_back(ReadString(pair.Get(uint32_t{0}), name + "[0]"), ReadString(pair.Get(uint32_t{1}), name + "[1]"));
    } else {
      ThrowTypeError(env, "string or [string, string]", name, item);
    }
  }
  engine::EncodeSettings settings = ReadSettings(*tokenizer_, info[1]);
  auto* job = new EncodeJob(env, tokenizer_, std::move(inputs), std::move(settings), false);
  Napi::Promise promise = job->Promise();
  job->Queue();
  return promise;
}

}  // namespace bindings
