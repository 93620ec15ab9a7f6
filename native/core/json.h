// JSON access for configuration files (tokenizer.json, config.json): every malformed field becomes an
// EngineError whose message names the file's field, never a crash or a generic parse error.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/error.h"

namespace engine {

using Json = nlohmann::json;

// Parses `text`; a syntax error throws `code` with the file name and position.
Json ParseJson(const std::string& text, const std::string& file_label, ErrorCode code);

// Typed field readers. `where` names the object in messages (e.g. "tokenizer.json model").
class JsonReader {
 public:
  JsonReader(const Json& object, std::string where, ErrorCode code);

  bool Has(const char* key) const;
  const Json& Required(const char* key) const;
  std::string String(const char* key) const;
  std::string String(const char* key, const std::string& fallback) const;
  bool Bool(const char* key, bool fallback) const;
  int64_t Int(const char* key) const;
  int64_t Int(const char* key, int64_t fallback) const;
  const Json& object() const { return object_; }
  const std::string& where() const { return where_; }
  [[noreturn]] void Fail(const std::string& message) const;

 private:
  const Json& object_;
  std::string where_;
  ErrorCode code_;
};

// Builds every entry of the array field `key` with `make` (JSON entry -> unique_ptr), dropping the entries it
// builds nothing for: the one reading of "Sequence" components (normalizers, pre-tokenizers, post-processors,
// decoders).
template <typename Make>
auto BuildEach(const JsonReader& reader, const char* key, Make&& make) {
  const Json& list = reader.Required(key);
  if (!list.is_array()) reader.Fail(std::string("field \"") + key + "\" must be an array");
  std::vector<decltype(make(list))> built;
  for (const auto& entry : list) {
    if (auto component = make(entry)) built.push_back(std::move(component));
  }
  return built;
}

}  // namespace engine
