// The output of tokenization for one input (a text or a pair), as plain data that crosses to JS unchanged.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tokenizer/normalized_string.h"

namespace engine {

struct Encoding {
  std::vector<uint32_t> ids;
  std::vector<uint32_t> type_ids;
  std::vector<uint32_t> attention_mask;
  std::vector<uint32_t> special_tokens_mask;
  // Spans of the input text each token came from, in code points; (0, 0) for added special tokens.
  std::vector<Span> offsets;
  // Token strings that differ from the vocabulary's string of the id: a Unigram unknown token reports the text
  // it covers, and an added token the text it matched (e.g. " <mask>" when lstrip took the space before it).
  // Either empty (no such token) or one entry per token, "" meaning the vocabulary's string.
  std::vector<std::string> texts;
  // The pieces truncation cut off (each a full encoding, possibly with its own pieces, as the reference nests them).
  std::vector<Encoding> overflowing;

  size_t size() const { return ids.size(); }
  void Reserve(size_t n);
  // Appends one token.
  void Push(uint32_t id, uint32_t type_id, Span offset, bool special);
  // Sets the string of the last token (see `texts`).
  void SetLastText(std::string text);
  // Gives token `index` its own string (see `texts`).
  void SetText(size_t index, std::string text);
  // The string override of token `index`, or null when it uses the vocabulary's.
  const std::string* TextOf(size_t index) const;
  // Appends all of `other`.
  void Append(const Encoding& other);
  // Keeps `length` tokens, from the start (right truncation) or from the end (left truncation).
  void Truncate(size_t length, bool from_left);
  // Hugging Face's truncation with overflow: keeps the first window of `length` tokens (the last one when
  // `from_left`) and moves every further window, each overlapping the previous by `stride` tokens, into
  // `overflowing`. Throws INVALID_ARGUMENT when stride >= length > 0 (the reference asserts it).
  void TruncateWithOverflow(size_t length, size_t stride, bool from_left);
};

}  // namespace engine
