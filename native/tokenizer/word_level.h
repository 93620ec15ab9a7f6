// WordLevel: each word is one vocabulary entry, or the unknown token when the vocabulary lacks it.
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

#include "tokenizer/model.h"

namespace engine {

class WordLevel final : public Model {
 public:
  explicit WordLevel(const JsonReader& config);

  // Throws INVALID_ARGUMENT for a word outside the vocabulary when the unknown token is not in it either (the
  // reference refuses such input too).
  void Tokenize(const std::u32string& word, std::vector<Token>& out) const override;
  std::optional<uint32_t> TokenToId(const std::string& token) const override;
  std::optional<std::string> IdToToken(uint32_t id) const override;
  size_t VocabSize() const override { return token_to_id_.size(); }
  std::optional<uint32_t> UnknownTokenId() const override { return unk_id_; }

 private:
  std::unordered_map<std::u32string, uint32_t> words_;
  std::unordered_map<std::string, uint32_t> token_to_id_;
  std::vector<std::string> id_to_token_;
  std::string unk_token_;
  std::optional<uint32_t> unk_id_;
};

}  // namespace engine
