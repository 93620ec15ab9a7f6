#include "engine/result_cache.h"

namespace engine {

std::optional<CachedRow> ResultCache::Get(const std::string& text) {
  if (!enabled()) return std::nullopt;
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = index_.find(text);
  if (it == index_.end()) return std::nullopt;
  order_.splice(order_.begin(), order_, it->second);
  return it->second->second;
}

void ResultCache::Put(const std::string& text, CachedRow row) {
  if (!enabled()) return;
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = index_.find(text);
  if (it != index_.end()) {
    it->second->second = std::move(row);
    order_.splice(order_.begin(), order_, it->second);
    return;
  }
  order_.emplace_front(text, std::move(row));
  index_[text] = order_.begin();
  if (order_.size() > capacity_) {
    index_.erase(order_.back().first);
    order_.pop_back();
  }
}

size_t ResultCache::size() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return order_.size();
}

}  // namespace engine
