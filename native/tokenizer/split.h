// The unit that flows through pre-tokenization: a piece of normalized text, possibly already resolved to
// tokens (added tokens are resolved before the model ever sees them).
#pragma once

#include <algorithm>
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
    // A split the cut leaves whole (a word already alone) moves over instead of being copied.
    if (ranges.size() == 1 && ranges[0].first == 0 && ranges[0].second == split.normalized.size()) {
      if (!split.normalized.empty()) out.push_back(std::move(split));
      continue;
    }
    // Room for every piece of this split and one per split still to come, growing geometrically so that a
    // long list of splits never reallocates more than a logarithmic number of times.
    const size_t needed = out.size() + ranges.size() + static_cast<size_t>(splits.data() + splits.size() - &split);
    if (needed > out.capacity()) out.reserve(std::max(needed, out.capacity() * 2));
    for (const auto& [begin, end] : ranges) {
      if (begin < end) out.push_back(Split{split.normalized.Slice(begin, end), {}, false});
    }
  }
  splits = std::move(out);
}

}  // namespace engine
