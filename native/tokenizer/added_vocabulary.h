// Added tokens (tokenizer.json's "added_tokens"): strings such as "[CLS]" or "<mask>" that are matched in the
// input before normalization and pre-tokenization and map straight to their ids, never split by the model.
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

#include "core/json.h"
#include "tokenizer/normalizers.h"
#include "tokenizer/split.h"

namespace engine {

struct AddedToken {
  uint32_t id = 0;
  std::string content;
  bool single_word = false;
  bool lstrip = false;
  bool rstrip = false;
  bool normalized = false;
  bool special = false;
};

class AddedVocabulary {
 public:
  AddedVocabulary() = default;
  // `normalizer` (may be null) normalizes the content of tokens marked "normalized".
  AddedVocabulary(const Json& config, const Normalizer* normalizer);

  // Cuts `text` around added tokens (raw ones on the input, normalized ones on each normalized piece) and
  // normalizes everything else. Offsets in the result are code points of `text`.
  std::vector<Split> ExtractAndNormalize(const std::u32string& text, const Normalizer* normalizer) const;

  const std::vector<AddedToken>& tokens() const { return tokens_; }
  const AddedToken* FindById(uint32_t id) const;

 private:
  struct Pattern {
    std::u32string text;
    size_t token_index;
  };
  struct Matcher {
    // Patterns by first code point, longest first, for leftmost-longest matching.
    std::unordered_map<char32_t, std::vector<Pattern>> by_first;
    bool empty() const { return by_first.empty(); }
  };
  struct Match {
    bool is_token;
    size_t token_index;
    size_t begin;
    size_t end;
  };

  void AddPattern(Matcher& matcher, std::u32string text, size_t token_index);
  std::vector<Match> FindMatches(const std::u32string& text, const Matcher& matcher) const;

  std::vector<AddedToken> tokens_;
  std::unordered_map<uint32_t, size_t> by_id_;
  Matcher raw_;
  Matcher normalized_;
};

}  // namespace engine
