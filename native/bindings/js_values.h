// Conversions at the JS boundary, on the JS thread only: argument readers that throw TypeError/RangeError with
// code INVALID_ARGUMENT and one message format ("Expected <what> for <name> but received <value> of type <type>"),
// and the conversion of EngineError into a JS Error with its `code`.
#pragma once

#include <napi.h>

#include <optional>
#include <string>
#include <vector>

#include "core/error.h"

namespace bindings {

// A JS Error (TypeError for INVALID_ARGUMENT) whose `code` property is the error's stable code.
Napi::Error MakeError(Napi::Env env, const engine::EngineError& error);

[[noreturn]] void ThrowTypeError(Napi::Env env, const std::string& expected, const std::string& name, Napi::Value actual);
[[noreturn]] void ThrowRangeError(Napi::Env env, const std::string& expected, const std::string& name, Napi::Value actual);

std::string ReadString(Napi::Value value, const std::string& name);
std::vector<std::string> ReadStringArray(Napi::Value value, const std::string& name);
// undefined → fallback; otherwise an integer in [min, max].
int64_t ReadOptionalInteger(Napi::Object object, const char* key, int64_t fallback, int64_t min, int64_t max,
                            const std::string& owner);
// undefined → fallback; otherwise a finite number in [min, max].
double ReadOptionalNumber(Napi::Object object, const char* key, double fallback, double min, double max,
                          const std::string& owner);
bool ReadOptionalBoolean(Napi::Object object, const char* key, bool fallback, const std::string& owner);
// undefined/null → an empty object; otherwise it must be a plain object.
Napi::Object ReadOptionsObject(Napi::Value value, const std::string& name);

// A Float32Array holding a copy of `data`.
Napi::Float32Array ToFloat32Array(Napi::Env env, const std::vector<float>& data);
Napi::Uint32Array ToUint32Array(Napi::Env env, const std::vector<uint32_t>& data);

}  // namespace bindings
