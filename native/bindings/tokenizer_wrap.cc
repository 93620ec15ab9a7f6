#include "bindings/tokenizer_wrap.h"

#include <algorithm>
#include <cmath>
#include <cstring>

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
// An encoding plus its token strings, packed off the JS thread so that crossing to JS costs a handful of N-API
// calls per encoding rather than several per token (the boundary used to be over half of encode's time): all
// numbers in one buffer, all token strings in one string with their UTF-16 lengths. lib/ unpacks tokens and
// offsets lazily, when they are read.
struct EncodedInput {
  engine::Encoding encoding;  // without its overflowing pieces, which are below
  std::string token_text;                // every token string, concatenated (UTF-8)
  std::vector<uint32_t> token_lengths;   // each token's length in UTF-16 code units, as JS counts
  std::vector<EncodedInput> overflowing;
};

uint32_t Utf16Length(const std::string& utf8) {
  uint32_t units = 0;
  for (unsigned char byte : utf8) {
    if ((byte & 0xC0) != 0x80) ++units;   // a code point starts here
    if ((byte & 0xF8) == 0xF0) ++units;   // four-byte sequences are astral: a surrogate pair
  }
  return units;
}

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
    for (auto& encoding : encodings) results_.push_back(WithTokens(std::move(encoding)));
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
  // Token strings, computed here off the JS thread; padding positions (the only ones with attention 0) show the
  // pad token, as the reference's do, whatever the vocabulary calls the pad id.
  EncodedInput WithTokens(engine::Encoding encoding) const {
    EncodedInput result;
    result.token_lengths.reserve(encoding.size());
    for (size_t i = 0; i < encoding.size(); ++i) {
      bool pad = encoding.attention_mask[i] == 0 && settings_.padding;
      const std::string* text = encoding.TextOf(i);  // a token whose string is not its vocabulary entry's
      std::string token = pad ? settings_.padding->pad_token : text ? *text : tokenizer_->IdToToken(encoding.ids[i]);
      result.token_lengths.push_back(Utf16Length(token));
      result.token_text += token;
    }
    for (auto& piece : encoding.overflowing) result.overflowing.push_back(WithTokens(std::move(piece)));
    encoding.overflowing.clear();
    result.encoding = std::move(encoding);
    return result;
  }

  static Napi::Object ToJs(Napi::Env env, const EncodedInput& input) {
    const auto& encoding = input.encoding;
    const size_t n = encoding.size();
    // ids | typeIds | attentionMask | specialTokensMask | offsets (2n) | token lengths: 7n uint32 in one buffer.
    auto buffer = Napi::ArrayBuffer::New(env, std::max<size_t>(1, 7 * n) * sizeof(uint32_t));
    auto* data = static_cast<uint32_t*>(buffer.Data());
    auto copy = [&](const std::vector<uint32_t>& values, size_t at) {
      if (n > 0) std::memcpy(data + at, values.data(), n * sizeof(uint32_t));
      return Napi::Uint32Array::New(env, n, buffer, at * sizeof(uint32_t));
    };
    auto object = Napi::Object::New(env);
    object.Set("ids", copy(encoding.ids, 0));
    object.Set("typeIds", copy(encoding.type_ids, n));
    object.Set("attentionMask", copy(encoding.attention_mask, 2 * n));
    object.Set("specialTokensMask", copy(encoding.special_tokens_mask, 3 * n));
    for (size_t i = 0; i < n; ++i) {
      data[4 * n + 2 * i] = encoding.offsets[i].begin;
      data[4 * n + 2 * i + 1] = encoding.offsets[i].end;
    }
    object.Set("offsetsFlat", Napi::Uint32Array::New(env, 2 * n, buffer, 4 * n * sizeof(uint32_t)));
    object.Set("tokenLengths", copy(input.token_lengths, 6 * n));
    object.Set("tokenText", Napi::String::New(env, input.token_text));
    auto overflowing = Napi::Array::New(env, input.overflowing.size());
    for (size_t i = 0; i < input.overflowing.size(); ++i) overflowing.Set(i, ToJs(env, input.overflowing[i]));
    object.Set("overflowing", overflowing);
    return object;
  }

  TokenizerPtr tokenizer_;
  std::vector<Input> inputs_;
  engine::EncodeSettings settings_;
  bool single_;
  std::vector<EncodedInput> results_;
};

constexpr int64_t kMaxLength = 0x7FFFFFFF;

// One of `choices` (a string), or `fallback` when undefined.
std::string ReadOptionalChoice(Napi::Object object, const char* key, const std::vector<std::string>& choices,
                               const std::string& fallback, const std::string& owner) {
  Napi::Value value = object.Get(key);
  if (value.IsUndefined()) return fallback;
  std::string expected;
  for (const auto& choice : choices) expected += (expected.empty() ? "'" : " or '") + choice + "'";
  std::string name = owner + "." + key;
  if (!value.IsString()) ThrowTypeError(object.Env(), expected, name, value);
  std::string text = value.As<Napi::String>().Utf8Value();
  if (std::find(choices.begin(), choices.end(), text) == choices.end()) ThrowRangeError(object.Env(), expected, name, value);
  return text;
}

// `false` (off) or an options object; undefined keeps tokenizer.json's setting.
std::optional<Napi::Object> ReadOverride(Napi::Object options, const char* key, bool* disabled) {
  Napi::Value value = options.Get(key);
  *disabled = false;
  if (value.IsUndefined()) return std::nullopt;
  if (value.IsBoolean() && !value.As<Napi::Boolean>().Value()) {
    *disabled = true;
    return std::nullopt;
  }
  if (!value.IsObject() || value.IsArray() || value.IsFunction() || value.IsNull()) {
    ThrowTypeError(options.Env(), "false or object", std::string("options.") + key, value);
  }
  return value.As<Napi::Object>();
}

engine::TruncationParams ReadTruncation(Napi::Object object) {
  const std::string owner = "options.truncation";
  engine::TruncationParams params;
  if (object.Get("maxLength").IsUndefined()) {
    ThrowTypeError(object.Env(), "integer between 0 and " + std::to_string(kMaxLength), owner + ".maxLength",
                   object.Get("maxLength"));
  }
  params.max_length = static_cast<size_t>(ReadOptionalInteger(object, "maxLength", 0, 0, kMaxLength, owner));
  std::string strategy =
      ReadOptionalChoice(object, "strategy", {"longest_first", "only_first", "only_second"}, "longest_first", owner);
  using Strategy = engine::TruncationParams::Strategy;
  params.strategy = strategy == "only_first"    ? Strategy::OnlyFirst
                    : strategy == "only_second" ? Strategy::OnlySecond
                                                : Strategy::LongestFirst;
  params.from_left = ReadOptionalChoice(object, "direction", {"left", "right"}, "right", owner) == "left";
  params.stride = static_cast<size_t>(ReadOptionalInteger(object, "stride", 0, 0, kMaxLength, owner));
  return params;
}

engine::PaddingParams ReadPadding(Napi::Object object) {
  const std::string owner = "options.padding";
  engine::PaddingParams params;
  if (!object.Get("length").IsUndefined()) {
    params.fixed_length = static_cast<size_t>(ReadOptionalInteger(object, "length", 0, 0, kMaxLength, owner));
  }
  params.left = ReadOptionalChoice(object, "direction", {"left", "right"}, "right", owner) == "left";
  params.multiple_of = static_cast<size_t>(ReadOptionalInteger(object, "padToMultipleOf", 0, 0, kMaxLength, owner));
  params.pad_id = static_cast<uint32_t>(ReadOptionalInteger(object, "padId", 0, 0, 0xFFFFFFFF, owner));
  params.pad_type_id = static_cast<uint32_t>(ReadOptionalInteger(object, "padTypeId", 0, 0, 0xFFFFFFFF, owner));
  Napi::Value token = object.Get("padToken");
  if (!token.IsUndefined()) params.pad_token = ReadString(token, owner + ".padToken");
  return params;
}

engine::EncodeSettings ReadSettings(const engine::Tokenizer& tokenizer, Napi::Value value) {
  Napi::Object options = ReadOptionsObject(value, "options");
  engine::EncodeSettings settings = tokenizer.DefaultSettings();
  settings.add_special_tokens = ReadOptionalBoolean(options, "addSpecialTokens", true, "options");
  bool disabled = false;
  if (auto truncation = ReadOverride(options, "truncation", &disabled)) settings.truncation = ReadTruncation(*truncation);
  else if (disabled) settings.truncation.reset();
  if (auto padding = ReadOverride(options, "padding", &disabled)) settings.padding = ReadPadding(*padding);
  else if (disabled) settings.padding.reset();
  return settings;
}

// Decodes id lists off the JS thread; resolves a string (decode) or an array of strings (decodeBatch).
class DecodeJob : public TokenizerJob {
 public:
  DecodeJob(Napi::Env env, TokenizerPtr tokenizer, std::vector<std::vector<uint32_t>> ids, bool skip_special, bool single)
      : TokenizerJob(env, "TokenizerDecode"),
        tokenizer_(std::move(tokenizer)),
        ids_(std::move(ids)),
        skip_special_(skip_special),
        single_(single) {}

  void Work() override {
    texts_.reserve(ids_.size());
    for (const auto& ids : ids_) texts_.push_back(tokenizer_->Decode(ids, skip_special_));
  }

  void OnOK() override {
    Napi::Env env = Env();
    if (single_) {
      deferred_.Resolve(Napi::String::New(env, texts_.at(0)));
      return;
    }
    auto array = Napi::Array::New(env, texts_.size());
    for (size_t i = 0; i < texts_.size(); ++i) array.Set(i, Napi::String::New(env, texts_[i]));
    deferred_.Resolve(array);
  }

 private:
  TokenizerPtr tokenizer_;
  std::vector<std::vector<uint32_t>> ids_;
  bool skip_special_;
  bool single_;
  std::vector<std::string> texts_;
};

// An array of token ids (integers in [0, 2^32)), or a Uint32Array.
std::vector<uint32_t> ReadIds(Napi::Value value, const std::string& name) {
  Napi::Env env = value.Env();
  if (value.IsTypedArray() && value.As<Napi::TypedArray>().TypedArrayType() == napi_uint32_array) {
    auto typed = value.As<Napi::Uint32Array>();
    return std::vector<uint32_t>(typed.Data(), typed.Data() + typed.ElementLength());
  }
  if (!value.IsArray()) ThrowTypeError(env, "array of token ids", name, value);
  auto array = value.As<Napi::Array>();
  std::vector<uint32_t> ids;
  ids.reserve(array.Length());
  for (uint32_t i = 0; i < array.Length(); ++i) {
    Napi::Value item = array.Get(i);
    std::string item_name = name + "[" + std::to_string(i) + "]";
    if (!item.IsNumber()) ThrowTypeError(env, "integer between 0 and 4294967295", item_name, item);
    double number = item.As<Napi::Number>().DoubleValue();
    if (!(number >= 0 && number <= 4294967295.0) || std::floor(number) != number) {
      ThrowRangeError(env, "integer between 0 and 4294967295", item_name, item);
    }
    ids.push_back(static_cast<uint32_t>(number));
  }
  return ids;
}

bool ReadSkipSpecial(Napi::Value value) {
  Napi::Object options = ReadOptionsObject(value, "options");
  return ReadOptionalBoolean(options, "skipSpecialTokens", false, "options");
}

}  // namespace

Napi::Function TokenizerWrap::DefineClass(Napi::Env env) {
  return ObjectWrap<TokenizerWrap>::DefineClass(env, "Tokenizer",
                                                {
                                                    StaticMethod<&TokenizerWrap::FromFile>("fromFile"),
                                                    InstanceMethod<&TokenizerWrap::Encode>("encode"),
                                                    InstanceMethod<&TokenizerWrap::EncodeBatch>("encodeBatch"),
                                                    InstanceMethod<&TokenizerWrap::Decode>("decode"),
                                                    InstanceMethod<&TokenizerWrap::DecodeBatch>("decodeBatch"),
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

Napi::Value TokenizerWrap::Decode(const Napi::CallbackInfo& info) {
  std::vector<std::vector<uint32_t>> ids;
  ids.push_back(ReadIds(info[0], "ids"));
  bool skip_special = ReadSkipSpecial(info[1]);
  auto* job = new DecodeJob(info.Env(), tokenizer_, std::move(ids), skip_special, true);
  Napi::Promise promise = job->Promise();
  job->Queue();
  return promise;
}

Napi::Value TokenizerWrap::DecodeBatch(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsArray()) ThrowTypeError(env, "array of token id arrays", "idLists", info[0]);
  auto array = info[0].As<Napi::Array>();
  std::vector<std::vector<uint32_t>> ids;
  ids.reserve(array.Length());
  for (uint32_t i = 0; i < array.Length(); ++i) ids.push_back(ReadIds(array.Get(i), "idLists[" + std::to_string(i) + "]"));
  bool skip_special = ReadSkipSpecial(info[1]);
  auto* job = new DecodeJob(env, tokenizer_, std::move(ids), skip_special, false);
  Napi::Promise promise = job->Promise();
  job->Queue();
  return promise;
}

}  // namespace bindings
