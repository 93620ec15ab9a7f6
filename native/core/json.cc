#include "core/json.h"

namespace engine {

Json ParseJson(const std::string& text, const std::string& file_label, ErrorCode code) {
  try {
    return Json::parse(text);
  } catch (const Json::exception& error) {
    // parse_error, and also out_of_range for numbers such as 1e400 (found by the load fuzzer).
    throw EngineError(code, file_label + " is not valid JSON: " + error.what());
  }
}

JsonReader::JsonReader(const Json& object, std::string where, ErrorCode code)
    : object_(object), where_(std::move(where)), code_(code) {
  if (!object_.is_object()) Fail("expected an object");
}

void JsonReader::Fail(const std::string& message) const { throw EngineError(code_, where_ + ": " + message); }

bool JsonReader::Has(const char* key) const {
  auto it = object_.find(key);
  return it != object_.end() && !it->is_null();
}

const Json& JsonReader::Required(const char* key) const {
  auto it = object_.find(key);
  if (it == object_.end() || it->is_null()) Fail(std::string("missing field \"") + key + "\"");
  return *it;
}

std::string JsonReader::String(const char* key) const {
  const Json& value = Required(key);
  if (!value.is_string()) Fail(std::string("field \"") + key + "\" must be a string");
  return value.get<std::string>();
}

std::string JsonReader::String(const char* key, const std::string& fallback) const {
  return Has(key) ? String(key) : fallback;
}

bool JsonReader::Bool(const char* key, bool fallback) const {
  if (!Has(key)) return fallback;
  const Json& value = object_.at(key);
  if (!value.is_boolean()) Fail(std::string("field \"") + key + "\" must be a boolean");
  return value.get<bool>();
}

int64_t JsonReader::Int(const char* key) const {
  const Json& value = Required(key);
  if (!value.is_number_integer()) Fail(std::string("field \"") + key + "\" must be an integer");
  return value.get<int64_t>();
}

int64_t JsonReader::Int(const char* key, int64_t fallback) const { return Has(key) ? Int(key) : fallback; }

}  // namespace engine
