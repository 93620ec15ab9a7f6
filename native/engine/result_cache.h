// An LRU cache of classification results keyed by text. Each engine owns one, so the model's identity is part
// of the key by construction: a hot-swapped model starts with an empty cache. Thread-safe.
#pragma once

#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/row_features.h"

namespace engine {

class ResultCache {
 public:
  explicit ResultCache(size_t capacity) : capacity_(capacity) {}

  bool enabled() const { return capacity_ > 0; }
  std::optional<CachedRow> Get(const std::string& text);
  void Put(const std::string& text, CachedRow row);
  size_t size() const;

 private:
  using Entry = std::pair<std::string, CachedRow>;
  size_t capacity_;
  mutable std::mutex mutex_;
  std::list<Entry> order_;  // most recent first
  std::unordered_map<std::string, std::list<Entry>::iterator> index_;
};

}  // namespace engine
