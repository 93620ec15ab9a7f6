#include "engine/row_features.h"

#include <algorithm>

namespace engine {

namespace {

// Whether any non-whitespace byte follows code point `code_points` of the UTF-8 `text`.
bool HasTextAfter(const std::string& text, size_t code_points) {
  size_t seen = 0;
  size_t i = 0;
  for (; i < text.size() && seen < code_points; ++i) {
    // Continuation bytes (10xxxxxx) do not start a code point.
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) ++seen;
  }
  while (i < text.size() && (static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) ++i;
  for (; i < text.size(); ++i) {
    char c = text[i];
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != '\v') return true;
  }
  return false;
}

}  // namespace

RowFeatures DescribeEncoding(const Encoding& encoding, const std::string& text, size_t max_length,
                             std::optional<uint32_t> unknown_id) {
  RowFeatures features;
  features.token_count = static_cast<uint32_t>(encoding.size());
  size_t last_end = 0;
  for (size_t i = 0; i < encoding.size(); ++i) {
    bool special = i < encoding.special_tokens_mask.size() && encoding.special_tokens_mask[i] != 0;
    if (special) {
      ++features.special_tokens;
      continue;
    }
    if (unknown_id && encoding.ids[i] == *unknown_id) ++features.unknown_tokens;
    if (i < encoding.offsets.size()) last_end = std::max<size_t>(last_end, encoding.offsets[i].end);
  }
  // Truncation moves what it cuts into `overflowing`, except that the tokenizer stops reading words once it has
  // enough, so a text cut exactly at a word boundary leaves no overflow: then a full encoding with text after
  // its last token's span tells.
  features.truncated = !encoding.overflowing.empty() ||
                       (max_length > 0 && encoding.size() >= max_length && HasTextAfter(text, last_end));
  return features;
}

}  // namespace engine
