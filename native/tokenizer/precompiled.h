// SentencePiece's precompiled normalization rules ("Precompiled" normalizer, "precompiled_charsmap"): a base64
// blob holding a Darts double-array trie whose keys are UTF-8 strings and whose values index NUL-terminated
// replacement strings stored after it. Applied the way Hugging Face tokenizers applies it: grapheme by grapheme.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/json.h"
#include "tokenizer/normalizers.h"

namespace engine {

class PrecompiledCharsmap {
 public:
  // Decodes the base64 blob. Throws TOKENIZER_INVALID (via `config`) when it is not a charsmap.
  PrecompiledCharsmap(const std::string& base64, const JsonReader& config);

  // The replacement of the shortest key that is a prefix of `text`, if any. The reference replaces the whole
  // chunk it was asked about with it, even when the key is shorter than the chunk.
  std::optional<std::string_view> Lookup(std::string_view text) const;

 private:
  std::vector<uint32_t> units_;
  std::string replacements_;
};

class PrecompiledNormalizer final : public Normalizer {
 public:
  explicit PrecompiledNormalizer(const JsonReader& config);
  void Normalize(NormalizedString& text) const override;

 private:
  PrecompiledCharsmap charsmap_;
};

}  // namespace engine
