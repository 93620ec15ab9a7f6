#include "tokenizer/encoding.h"

#include <algorithm>
#include <string>
#include <type_traits>
#include <utility>

#include "core/error.h"

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

void Encoding::TruncateWithOverflow(size_t length, size_t stride, bool from_left) {
  const size_t total = ids.size();
  if (length >= total) return;
  if (length == 0) {  // everything overflows
    Encoding all = std::move(*this);
    *this = Encoding();
    overflowing.push_back(std::move(all));
    return;
  }
  if (stride >= length) {
    throw EngineError(ErrorCode::InvalidArgument, "truncation stride (" + std::to_string(stride) +
                                                      ") must be smaller than the length left for the text (" +
                                                      std::to_string(length) + ")");
  }
  // Windows of `length` tokens, each starting `length - stride` after the previous, until one reaches the end
  // (from the end backwards for left truncation).
  const size_t step = length - stride;
  std::vector<std::pair<size_t, size_t>> windows;
  if (!from_left) {
    for (size_t start = 0; start < total; start += step) {
      size_t stop = std::min(start + length, total);
      windows.emplace_back(start, stop);
      if (stop == total) break;
    }
  } else {
    for (size_t stop = total; stop > 0; stop = stop > step ? stop - step : 0) {
      size_t start = stop > length ? stop - length : 0;
      windows.emplace_back(start, stop);
      if (start == 0) break;
    }
  }
  auto slice = [this](size_t begin, size_t end) {
    Encoding piece;
    auto cut = [&](const auto& v) { return std::decay_t<decltype(v)>(v.begin() + begin, v.begin() + end); };
    piece.ids = cut(ids);
    piece.type_ids = cut(type_ids);
    piece.attention_mask = cut(attention_mask);
    piece.special_tokens_mask = cut(special_tokens_mask);
    piece.offsets = cut(offsets);
    return piece;
  };
  Encoding kept = slice(windows[0].first, windows[0].second);
  for (size_t i = 1; i < windows.size(); ++i) kept.overflowing.push_back(slice(windows[i].first, windows[i].second));
  *this = std::move(kept);
}

}  // namespace engine
