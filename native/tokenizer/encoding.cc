#include "tokenizer/encoding.h"

namespace engine {

void Encoding::Reserve(size_t n) {
  ids.reserve(n);
  type_ids.reserve(n);
  attention_mask.reserve(n);
  special_tokens_mask.reserve(n);
  offsets.reserve(n);
}

void Encoding::Push(uint32_t id, uint32_t type_id, Span offset, bool special) {
  ids.push_back(id);
  type_ids.push_back(type_id);
  attention_mask.push_back(1);
  special_tokens_mask.push_back(special ? 1 : 0);
  offsets.push_back(offset);
  if (!texts.empty()) texts.emplace_back();
}

void Encoding::SetLastText(std::string text) {
  if (ids.empty()) return;
  if (texts.empty()) texts.resize(ids.size());
  texts.back() = std::move(text);
}

void Encoding::SetText(size_t index, std::string text) {
  if (texts.size() != ids.size()) texts.resize(ids.size());
  texts[index] = std::move(text);
}

const std::string* Encoding::TextOf(size_t index) const {
  if (index >= texts.size() || texts[index].empty()) return nullptr;
  return &texts[index];
}

void Encoding::Append(const Encoding& other) {
  ids.insert(ids.end(), other.ids.begin(), other.ids.end());
  type_ids.insert(type_ids.end(), other.type_ids.begin(), other.type_ids.end());
  attention_mask.insert(attention_mask.end(), other.attention_mask.begin(), other.attention_mask.end());
  special_tokens_mask.insert(special_tokens_mask.end(), other.special_tokens_mask.begin(),
                             other.special_tokens_mask.end());
  if (!texts.empty() || !other.texts.empty()) {
    texts.resize(ids.size() - other.size());
    if (other.texts.empty()) texts.resize(ids.size());
    else texts.insert(texts.end(), other.texts.begin(), other.texts.end());
  }
  offsets.insert(offsets.end(), other.offsets.begin(), other.offsets.end());
}

namespace {
template <typename T>
void KeepRange(std::vector<T>& v, size_t length, bool from_left) {
  if (v.size() <= length) return;
  if (from_left) v.erase(v.begin(), v.end() - static_cast<std::ptrdiff_t>(length));
  else v.resize(length);
}
}  // namespace

void Encoding::Truncate(size_t length, bool from_left) {
  KeepRange(ids, length, from_left);
  KeepRange(type_ids, length, from_left);
  KeepRange(attention_mask, length, from_left);
  KeepRange(special_tokens_mask, length, from_left);
  KeepRange(offsets, length, from_left);
  KeepRange(texts, length, from_left);
}

}  // namespace engine
