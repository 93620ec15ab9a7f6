// A string under normalization that remembers, for every code point, which span of the original input it
// came from. Offsets reported to users are always spans of the original input, whatever the normalizers,
// pre-tokenizers and models did to the text in between.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace engine {

// [begin, end) in code points of the original input.
struct Span {
  uint32_t begin = 0;
  uint32_t end = 0;
};

class NormalizedString {
 public:
  NormalizedString() = default;
  // `origin_offset` shifts the recorded spans, so a piece cut out of a larger input reports offsets in it.
  explicit NormalizedString(std::u32string original, uint32_t origin_offset = 0);

  const std::u32string& chars() const { return chars_; }
  const std::vector<Span>& origins() const { return origins_; }
  size_t size() const { return chars_.size(); }
  bool empty() const { return chars_.empty(); }

  // The original span covered by normalized code points [begin, end).
  Span OriginOf(size_t begin, size_t end) const;
  // The normalized code points [begin, end) with their origins.
  NormalizedString Slice(size_t begin, size_t end) const;

  // Replaces each code point with zero or more code points produced by `fn(cp, out)`. Every produced code
  // point inherits the origin span of the code point it came from (as Hugging Face aligns insertions).
  template <typename Fn>
  void Transform(Fn&& fn);

  // Keeps the code points for which `keep(cp)` is true.
  template <typename Pred>
  void Filter(Pred&& keep);

  // Canonical decomposition followed by canonical reordering of combining marks (Unicode NFD).
  void Nfd();

  // One output code point of a rewrite and how it relates to the current text, in Hugging Face's terms:
  // `change` <= 0 consumes the next 1 - change current code points and takes the origin of the first of them;
  // `change` > 0 is an insertion that takes the origin of the last consumed code point (or an empty span at
  // the start of this string when nothing was consumed yet). Current code points left unconsumed at the end
  // are dropped. This positional rule is how the reference aligns every rewrite (composition, Precompiled,
  // Prepend), including its odd cases, so it is reproduced as is rather than "fixed".
  struct Change {
    char32_t cp;
    int change;
  };
  void ApplyChanges(const std::vector<Change>& changes);

  // Replaces each range [begin, end) of `ranges` (sorted, non-overlapping, possibly empty) with `content`; every
  // inserted code point takes the origin of the last replaced one (of the code point before an empty range; an
  // empty span at the start of this string), as the reference's replace aligns them.
  void ReplaceRanges(const std::vector<std::pair<size_t, size_t>>& ranges, std::u32string_view content);

  // Puts `prefix` in front, as the reference's prepend does: the prefix takes the origin of the first code point.
  // An empty prefix still rewrites that first code point, which then reports an empty span at the start of this
  // string (measured: Prepend "" on "ab" gives "a" the offsets (0, 0)). Does nothing to an empty string.
  void Prepend(std::u32string_view prefix);

  // Where this string starts in the original input: the empty span the reference gives to insertions made
  // before anything was consumed.
  uint32_t shift() const { return shift_; }

 private:
  std::u32string chars_;
  std::vector<Span> origins_;
  uint32_t shift_ = 0;
};

template <typename Fn>
void NormalizedString::Transform(Fn&& fn) {
  // Most passes map each code point to exactly one (lowercasing, whitespace cleanup): those rewrite the string
  // in place. `produced` keeps up to three code points inline (small-string storage), so the common case
  // allocates nothing; the first code point that changes the length switches to building new buffers.
  std::u32string produced;
  const size_t size = chars_.size();
  size_t i = 0;
  for (; i < size; ++i) {
    produced.clear();
    fn(chars_[i], produced);
    if (produced.size() != 1) break;
    chars_[i] = produced[0];
  }
  if (i == size) return;

  std::u32string chars;
  std::vector<Span> origins;
  chars.reserve(size + size / 4 + produced.size());
  origins.reserve(chars.capacity());
  chars.append(chars_, 0, i);
  origins.insert(origins.end(), origins_.begin(), origins_.begin() + static_cast<std::ptrdiff_t>(i));
  // Code point i was already transformed into `produced`.
  chars.append(produced);
  for (size_t k = 0; k < produced.size(); ++k) origins.push_back(origins_[i]);
  for (++i; i < size; ++i) {
    const size_t before = chars.size();
    fn(chars_[i], chars);
    for (size_t k = before; k < chars.size(); ++k) origins.push_back(origins_[i]);
  }
  chars_ = std::move(chars);
  origins_ = std::move(origins);
}

template <typename Pred>
void NormalizedString::Filter(Pred&& keep) {
  size_t out = 0;
  for (size_t i = 0; i < chars_.size(); ++i) {
    if (keep(chars_[i])) {
      chars_[out] = chars_[i];
      origins_[out] = origins_[i];
      ++out;
    }
  }
  chars_.resize(out);
  origins_.resize(out);
}

}  // namespace engine
