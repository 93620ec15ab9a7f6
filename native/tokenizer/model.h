// Tokenization models from tokenizer.json's "model" field: they turn one word into tokens.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/json.h"
#include "tokenizer/split.h"

namespace engine {

class Model {
 public:
  virtual ~Model() = default;
  // Appends the tokens of `word` to `out`; token spans are code-point ranges of `word`.
  virtual void Tokenize(const std::u32string& word, std::vector<Token>& out) const = 0;
  virtual std::optional<uint32_t> TokenToId(const std::string& token) const = 0;
  virtual std::optional<std::string> IdToToken(uint32_t id) const = 0;
  virtual size_t VocabSize() const = 0;
  // Whether tokens with this id report the text they cover rather than their vocabulary string (the reference's
  // Unigram does so for its unknown token).
  virtual bool KeepsInputText(uint32_t id) const { return false; }
  // The id of the unknown token, when the model has one (drift capture counts them).
  virtual std::optional<uint32_t> UnknownTokenId() const { return std::nullopt; }
};

// Builds the model described by `config`. Hub files often omit "type": it is then inferred from the fields,
// as Hugging Face's untagged deserialization does. Unknown models throw TOKENIZER_UNSUPPORTED.
std::unique_ptr<Model> MakeModel(const Json& config);

}  // namespace engine
