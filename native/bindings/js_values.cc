#include "bindings/js_values.h"

#include <cmath>
#include <cstring>
#include <sstream>

namespace bindings {

namespace {

std::string TypeOf(Napi::Value value) {
  if (value.IsNull()) return "null";
  if (value.IsArray()) return "array";
  switch (value.Type()) {
    case napi_undefined: return "undefined";
    case napi_boolean: return "boolean";
    case napi_number: return "number";
    case napi_string: return "string";
    case napi_symbol: return "symbol";
    case napi_function: return "function";
    case napi_bigint: return "bigint";
    default: return "object";
  }
}

std::string Describe(Napi::Value value) {
  if (value.IsString()) {
    std::string text = value.As<Napi::String>().Utf8Value();
    if (text.size() > 40) text = text.substr(0, 40) + "...";
    return "\"" + text + "\"";
  }
  if (value.IsNumber() || value.IsBoolean()) return value.ToString().Utf8Value();
  if (value.IsNull() || value.IsUndefined()) return TypeOf(value);
  if (value.IsArray()) return "an array of length " + std::to_string(value.As<Napi::Array>().Length());
  return "a value";
}

Napi::Error WithCode(Napi::Error error, const char* code) {
  error.Set("code", Napi::String::New(error.Env(), code));
  return error;
}

std::string Message(const std::string& expected, const std::string& name, Napi::Value actual) {
  return "Expected " + expected + " for " + name + " but received " + Describe(actual) + " of type " + TypeOf(actual);
}

}  // namespace

Napi::Error MakeError(Napi::Env env, const engine::EngineError& error) {
  const char* code = engine::ErrorCodeName(error.code());
  if (error.code() == engine::ErrorCode::InvalidArgument) return WithCode(Napi::TypeError::New(env, error.what()), code);
  return WithCode(Napi::Error::New(env, error.what()), code);
}

void ThrowTypeError(Napi::Env env, const std::string& expected, const std::string& name, Napi::Value actual) {
  throw WithCode(Napi::TypeError::New(env, Message(expected, name, actual)), "INVALID_ARGUMENT");
}

void ThrowRangeError(Napi::Env env, const std::string& expected, const std::string& name, Napi::Value actual) {
  throw WithCode(Napi::RangeError::New(env, Message(expected, name, actual)), "INVALID_ARGUMENT");
}

std::string ReadString(Napi::Value value, const std::string& name) {
  if (!value.IsString()) ThrowTypeError(value.Env(), "string", name, value);
  return value.As<Napi::String>().Utf8Value();
}

std::vector<std::string> ReadStringArray(Napi::Value value, const std::string& name) {
  if (!value.IsArray()) ThrowTypeError(value.Env(), "array of strings", name, value);
  auto array = value.As<Napi::Array>();
  std::vector<std::string> out;
  out.reserve(array.Length());
  for (uint32_t i = 0; i < array.Length(); ++i) {
    Napi::Value item = array.Get(i);
    if (!item.IsString()) ThrowTypeError(value.Env(), "string", name + "[" + std::to_string(i) + "]", item);
    out.push_back(item.As<Napi::String>().Utf8Value());
  }
  return out;
}

int64_t ReadOptionalInteger(Napi::Object object, const char* key, int64_t fallback, int64_t min, int64_t max,
                            const std::string& owner) {
  Napi::Value value = object.Get(key);
  if (value.IsUndefined()) return fallback;
  std::string name = owner + "." + key;
  std::string expected = "integer between " + std::to_string(min) + " and " + std::to_string(max);
  if (!value.IsNumber()) ThrowTypeError(object.Env(), expected, name, value);
  double number = value.As<Napi::Number>().DoubleValue();
  if (!std::isfinite(number) || std::floor(number) != number || number < static_cast<double>(min) ||
      number > static_cast<double>(max)) {
    ThrowRangeError(object.Env(), expected, name, value);
  }
  return static_cast<int64_t>(number);
}

double ReadOptionalNumber(Napi::Object object, const char* key, double fallback, double min, double max,
                          const std::string& owner) {
  Napi::Value value = object.Get(key);
  if (value.IsUndefined()) return fallback;
  std::string name = owner + "." + key;
  std::ostringstream expected;
  expected << "number between " << min << " and " << max;
  if (!value.IsNumber()) ThrowTypeError(object.Env(), expected.str(), name, value);
  double number = value.As<Napi::Number>().DoubleValue();
  if (!std::isfinite(number) || number < min || number > max) ThrowRangeError(object.Env(), expected.str(), name, value);
  return number;
}

bool ReadOptionalBoolean(Napi::Object object, const char* key, bool fallback, const std::string& owner) {
  Napi::Value value = object.Get(key);
  if (value.IsUndefined()) return fallback;
  if (!value.IsBoolean()) ThrowTypeError(object.Env(), "boolean", owner + "." + key, value);
  return value.As<Napi::Boolean>().Value();
}

Napi::Object ReadOptionsObject(Napi::Value value, const std::string& name) {
  if (value.IsUndefined() || value.IsNull()) return Napi::Object::New(value.Env());
  if (!value.IsObject() || value.IsArray() || value.IsFunction()) ThrowTypeError(value.Env(), "object", name, value);
  return value.As<Napi::Object>();
}

Napi::Float32Array ToFloat32Array(Napi::Env env, const std::vector<float>& data) {
  auto array = Napi::Float32Array::New(env, data.size());
  if (!data.empty()) std::memcpy(array.Data(), data.data(), data.size() * sizeof(float));
  return array;
}

Napi::Uint32Array ToUint32Array(Napi::Env env, const std::vector<uint32_t>& data) {
  auto array = Napi::Uint32Array::New(env, data.size());
  if (!data.empty()) std::memcpy(array.Data(), data.data(), data.size() * sizeof(uint32_t));
  return array;
}

}  // namespace bindings
