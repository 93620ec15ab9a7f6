// The unit that flows through pre-tokenization: a piece of normalized text, possibly already resolved to
// tokens (added tokens are resolved before the model ever sees them).
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "tokenizer/normalized_string.h"

namespace engine {

struct Token {
  uint32_t id = 0;
  // [begin, end) in code points of the split's normalized text.
  uint32_t begin = 0;
  uint32_t end = 0;
};

struct Split {
  NormalizedString normalized;
  std::vector<Token> tokens;
  bool resolved = false;  // tokens are final; later stages leave this split alone
};

using Ranges = std::vector<std::pair<size_t, size_t>>;

// Replaces every unresolved split by the sub-ranges `cut(normalized, ranges)` appends; empty ranges are dropped,
// as Hugging Face drops empty splits.
template <typename Cut>
void SplitEach(std::vector<Split>& splits, Cut&& cut) {
  std::vector<Split> out;
  out.reserve(splits.size() * 2);
  Ranges ranges;
  for (auto& split : splits) {
    if (split.resolved) {
      out.push_back(std::move(split));
      continue;
    }
    ranges.clear();
    cut(split.normalized, ranges);
    for (const auto& [begin, end] : ranges) {
      if (begin < end) out.push_back(Split{split.normalized.Slice(begin, end), {}, false});
    }
  }
  splits = std::move(out);
}

}  // namespace engine
