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
  // Decompose, remembering which code points a decomposition inserted (all but its first).
  std::u32string chars;
  std::vector<bool> inserted;
  chars.reserve(chars_.size());
  inserted.reserve(chars_.size());
  for (char32_t cp : chars_) {
    size_t before = chars.size();
    unicode::AppendCanonicalDecomposition(chars, cp);
    for (size_t k = before; k < chars.size(); ++k) inserted.push_back(k != before);
  }
  // Canonical ordering: within each run of non-starters, a stable sort by combining class. The "inserted" flag
  // travels with its code point; the origins do not.
  size_t i = 0;
  while (i < chars.size()) {
    if (unicode::CombiningClass(chars[i]) == 0) {
      ++i;
      continue;
    }
    size_t run_end = i;
    while (run_end < chars.size() && unicode::CombiningClass(chars[run_end]) != 0) ++run_end;
    // Insertion sort: runs are a handful of marks, and stability is required.
    for (size_t j = i + 1; j < run_end; ++j) {
      char32_t cp = chars[j];
      bool was_inserted = inserted[j];
      int cls = unicode::CombiningClass(cp);
      size_t k = j;
      while (k > i && unicode::CombiningClass(chars[k - 1]) > cls) {
        chars[k] = chars[k - 1];
        inserted[k] = inserted[k - 1];
        --k;
      }
      chars[k] = cp;
      inserted[k] = was_inserted;
    }
    i = run_end;
  }
  // Origins are assigned after reordering, in order, as Hugging Face aligns its normalizer's output: each
  // non-inserted code point takes the next original code point's span, each inserted one repeats the span of the
  // last original taken. So reordered marks keep their positions' spans ("a\u0301\u0316" → a, U+0316, U+0301
  // with spans [0,1], [1,2], [2,3]), measured against the `tokenizers` package.
  std::vector<Span> origins;
  origins.reserve(chars.size());
  size_t next = 0;
  for (size_t k = 0; k < chars.size(); ++k) {
    if (!inserted[k] && next < origins_.size()) {
      origins.push_back(origins_[next++]);
    } else {
      origins.push_back(next > 0 ? origins_[next - 1] : Span{});
    }
  }
  chars_ = std::move(chars);
  origins_ = std::move(origins);
}

}  // namespace engine
