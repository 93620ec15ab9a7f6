// Metaspace (SentencePiece's whitespace handling): spaces become the replacement character ("▁" in practice),
// a replacement is put in front of each word (prepend_scheme "always"), of the input's first word only ("first")
// or never, and words are then cut in front of every replacement (split: true).
#pragma once

#include <vector>

#include "core/json.h"
#include "tokenizer/pre_tokenizers.h"

namespace engine {

class Metaspace final : public PreTokenizer {
 public:
  explicit Metaspace(const JsonReader& config);
  void PreTokenize(std::vector<Split>& splits) const override;

 private:
  enum class Prepend { Always, First, Never };
  char32_t replacement_ = U'\u2581';
  Prepend prepend_ = Prepend::Always;
  bool split_ = true;
};

}  // namespace engine
