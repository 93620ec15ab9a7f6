// The unit that flows through pre-tokenization: a piece of normalized text, possibly already resolved to
// tokens (added tokens are resolved before the model ever sees them).
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
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

namespace engine {

// How a pre-tokenizer's pattern matches become words (Hugging Face's SplitDelimiterBehavior), shared by Split,
// Punctuation, Digits, CharDelimiterSplit and Whitespace so that they agree on every edge case.
enum class SplitBehavior { Removed, Isolated, MergedWithPrevious, MergedWithNext, Contiguous };

// A run of text that does or does not match the pattern; a text's pieces cover it end to end.
struct MatchPiece {
  size_t begin;
  size_t end;
  bool is_match;
};
using MatchPieces = std::vector<MatchPiece>;

// Pieces for a per-character predicate: every matching character is a match of its own; the characters between
// form one non-match. An empty text is one empty non-match, as in the reference.
template <typename Pred>
void MatchEachChar(const std::u32string& text, Pred&& matches, MatchPieces& pieces) {
  if (text.empty()) {
    pieces.push_back(MatchPiece{0, 0, false});
    return;
  }
  size_t gap_start = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if (!matches(text[i])) continue;
    if (gap_start < i) pieces.push_back(MatchPiece{gap_start, i, false});
    pieces.push_back(MatchPiece{i, i + 1, true});
    gap_start = i + 1;
  }
  if (gap_start < text.size()) pieces.push_back(MatchPiece{gap_start, text.size(), false});
}

// Pieces for a list of matches [begin, end) in order (empty matches included, as a regex yields them).
inline void MatchRanges(size_t text_size, const Ranges& matches, MatchPieces& pieces) {
  if (text_size == 0) {
    pieces.push_back(MatchPiece{0, 0, false});
    return;
  }
  size_t previous = 0;
  for (const auto& [begin, end] : matches) {
    if (previous != begin) pieces.push_back(MatchPiece{previous, begin, false});
    pieces.push_back(MatchPiece{begin, end, true});
    previous = end;
  }
  if (previous != text_size) pieces.push_back(MatchPiece{previous, text_size, false});
}

// Turns pieces into the ranges kept under `behavior` (empty ranges are dropped later by SplitEach).
// `invert` swaps matches and non-matches first (Split's "invert", Whitespace's keep-the-matches).
inline void ApplySplitBehavior(MatchPieces& pieces, SplitBehavior behavior, bool invert, Ranges& ranges) {
  if (invert) {
    for (auto& piece : pieces) piece.is_match = !piece.is_match;
  }
  bool previous_match = false;
  switch (behavior) {
    case SplitBehavior::Removed:
      for (const auto& piece : pieces) {
        if (!piece.is_match) ranges.emplace_back(piece.begin, piece.end);
      }
      return;
    case SplitBehavior::Isolated:
      for (const auto& piece : pieces) ranges.emplace_back(piece.begin, piece.end);
      return;
    case SplitBehavior::MergedWithPrevious:
      // A match joins the piece before it, unless that piece was itself a match.
      for (const auto& piece : pieces) {
        if (piece.is_match && !previous_match && !ranges.empty()) ranges.back().second = piece.end;
        else ranges.emplace_back(piece.begin, piece.end);
        previous_match = piece.is_match;
      }
      return;
    case SplitBehavior::MergedWithNext: {
      // The mirror image: walk backwards, a match joins the piece after it unless that one was a match.
      size_t first = ranges.size();
      for (auto it = pieces.rbegin(); it != pieces.rend(); ++it) {
        if (it->is_match && !previous_match && ranges.size() > first) ranges.back().first = it->begin;
        else ranges.emplace_back(it->begin, it->end);
        previous_match = it->is_match;
      }
      std::reverse(ranges.begin() + static_cast<std::ptrdiff_t>(first), ranges.end());
      return;
    }
    case SplitBehavior::Contiguous:
      // Consecutive pieces of the same kind (in practice: runs of matches) become one.
      for (const auto& piece : pieces) {
        if (piece.is_match == previous_match && !ranges.empty()) ranges.back().second = piece.end;
        else ranges.emplace_back(piece.begin, piece.end);
        previous_match = piece.is_match;
      }
      return;
  }
}

}  // namespace engine
