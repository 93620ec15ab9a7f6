// What drift detection needs to know about one input besides the model's outputs, read off its encoding on the
// thread that tokenized it: plain data, computed only when the engine captures features.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "tokenizer/encoding.h"

namespace engine {

struct RowFeatures {
  uint32_t token_count = 0;     // after truncation, special tokens included
  uint32_t special_tokens = 0;  // of token_count
  uint32_t unknown_tokens = 0;  // tokens with the model's unknown-token id
  bool truncated = false;       // some of the text did not reach the model
};

// `max_length` is the truncation length the encoding was made with; `unknown_id` the tokenizer's unknown token.
RowFeatures DescribeEncoding(const Encoding& encoding, const std::string& text, size_t max_length,
                             std::optional<uint32_t> unknown_id);

// The features of a cached row: its probabilities plus, when captured, its features and embedding.
struct CachedRow {
  std::vector<float> probabilities;
  RowFeatures features;
  std::vector<float> embedding;
};

}  // namespace engine
