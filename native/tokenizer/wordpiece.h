// WordPiece (BERT's model): greedy longest-match-first over the vocabulary, continuation pieces prefixed
// ("##" by default); a word with no full cover, or longer than max_input_chars_per_word, becomes the unknown token.
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

#include "tokenizer/model.h"

namespace engine {

class WordPiece final : public Model {
 public:
  explicit WordPiece(const JsonReader& config);

  void Tokenize(const std::u32string& word, std::vector<Token>& out) const override;
  std::optional<uint32_t> TokenToId(const std::string& token) const override;
  std::optional<std::string> IdToToken(uint32_t id) const override;
  size_t VocabSize() const override { return id_to_token_.size(); }

 private:
  // Word-initial pieces and continuation pieces (keyed without the prefix), so that lookups need no string
  // concatenation.
  std::unordered_map<std::u32string, uint32_t> initial_;
  std::unordered_map<std::u32string, uint32_t> continuation_;
  std::unordered_map<std::string, uint32_t> token_to_id_;
  std::vector<std::string> id_to_token_;
  size_t longest_initial_ = 0;
  size_t longest_continuation_ = 0;
  uint32_t unk_id_ = 0;
  size_t max_input_chars_per_word_ = 100;
};

}  // namespace engine
