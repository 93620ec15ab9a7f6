#include "tokenizer/normalized_string.h"

#include "tokenizer/unicode_normalization.h"

namespace engine {

NormalizedString::NormalizedString(std::u32string original, uint32_t origin_offset)
    : chars_(std::move(original)), shift_(origin_offset) {
  origins_.resize(chars_.size());
  for (uint32_t i = 0; i < origins_.size(); ++i) origins_[i] = Span{origin_offset + i, origin_offset + i + 1};
}

Span NormalizedString::OriginOf(size_t begin, size_t end) const {
  if (begin >= end || end > origins_.size()) return Span{};
  return Span{origins_[begin].begin, origins_[end - 1].end};
}

NormalizedString NormalizedString::Slice(size_t begin, size_t end) const {
  NormalizedString piece;
  piece.chars_.assign(chars_.begin() + begin, chars_.begin() + end);
  piece.origins_.assign(origins_.begin() + begin, origins_.begin() + end);
  piece.shift_ = begin < end ? origins_[begin].begin : shift_;
  return piece;
}

void NormalizedString::ApplyChanges(const std::vector<Change>& changes) {
  std::u32string chars;
  std::vector<Span> origins;
  chars.reserve(changes.size());
  origins.reserve(changes.size());
  const Span at_start{shift_, shift_};
  size_t next = 0;  // the next current code point to consume
  for (const Change& c : changes) {
    Span origin;
    if (c.change > 0) {
      origin = next > 0 ? origins_[next - 1] : at_start;
    } else {
      // A well-formed change list never consumes past the end; stay defensive rather than read out of bounds.
      origin = next < origins_.size() ? origins_[next] : (origins_.empty() ? at_start : origins_.back());
      next += static_cast<size_t>(1 - c.change);
    }
    chars.push_back(c.cp);
    origins.push_back(origin);
  }
  chars_ = std::move(chars);
  origins_ = std::move(origins);
}

void NormalizedString::Prepend(std::u32string_view prefix) {
  if (chars_.empty()) return;
  if (prefix.empty()) {
    origins_[0] = Span{shift_, shift_};
    return;
  }
  Span origin = origins_[0];
  chars_.insert(0, prefix.data(), prefix.size());
  origins_.insert(origins_.begin(), prefix.size(), origin);
}

void NormalizedString::ReplaceRanges(const std::vector<std::pair<size_t, size_t>>& ranges,
                                     std::u32string_view content) {
  if (ranges.empty()) return;
  std::u32string chars;
  std::vector<Span> origins;
  chars.reserve(chars_.size() + ranges.size() * content.size());
  origins.reserve(chars.capacity());
  size_t copied = 0;
  for (const auto& [begin, end] : ranges) {
    chars.append(chars_, copied, begin - copied);
    origins.insert(origins.end(), origins_.begin() + static_cast<std::ptrdiff_t>(copied),
                   origins_.begin() + static_cast<std::ptrdiff_t>(begin));
    Span origin = end > 0 ? origins_[end - 1] : Span{shift_, shift_};
    chars.append(content);
    origins.insert(origins.end(), content.size(), origin);
    copied = end;
  }
  chars.append(chars_, copied, std::u32string::npos);
  origins.insert(origins.end(), origins_.begin() + static_cast<std::ptrdiff_t>(copied), origins_.end());
  chars_ = std::move(chars);
  origins_ = std::move(origins);
}

void NormalizedString::Nfd() {
  // Nothing below U+00C0 decomposes canonically and nothing below U+0300 has a non-zero combining class: text
  // without such code points (most English text) is already in NFD.
  for (char32_t cp : chars_) {
    if (cp >= 0xC0) {
      UnicodeNormalize(*this, NormalizationForm::Nfd);
      return;
    }
  }
}

}  // namespace engine
