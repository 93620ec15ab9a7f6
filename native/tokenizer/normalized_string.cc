#include "tokenizer/normalized_string.h"

#include "tokenizer/unicode.h"

namespace engine {

NormalizedString::NormalizedString(std::u32string original, uint32_t origin_offset) : chars_(std::move(original)) {
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
  return piece;
}

void NormalizedString::Nfd() {
  // Nothing below U+00C0 decomposes canonically and nothing below U+0300 has a non-zero combining class:
  // text without such code points (most English text) is already in NFD.
  size_t first_candidate = 0;
  while (first_candidate < chars_.size() && chars_[first_candidate] < 0xC0) ++first_candidate;
  if (first_candidate == chars_.size()) return;
  Transform([](char32_t cp, std::u32string& out) {
    if (cp < 0xC0) out.push_back(cp);
    else unicode::AppendCanonicalDecomposition(out, cp);
  });
  // Canonical ordering: within each run of non-starters, a stable sort by combining class.
  size_t i = 0;
  while (i < chars_.size()) {
    if (unicode::CombiningClass(chars_[i]) == 0) {
      ++i;
      continue;
    }
    size_t run_end = i;
    while (run_end < chars_.size() && unicode::CombiningClass(chars_[run_end]) != 0) ++run_end;
    // Insertion sort: runs are a handful of marks, and stability is required.
    for (size_t j = i + 1; j < run_end; ++j) {
      char32_t cp = chars_[j];
      Span origin = origins_[j];
      int cls = unicode::CombiningClass(cp);
      size_t k = j;
      while (k > i && unicode::CombiningClass(chars_[k - 1]) > cls) {
        chars_[k] = chars_[k - 1];
        origins_[k] = origins_[k - 1];
        --k;
      }
      chars_[k] = cp;
      origins_[k] = origin;
    }
    i = run_end;
  }
}

}  // namespace engine
