// Pre-tokenizers from tokenizer.json's "pre_tokenizer" field: they cut normalized text into words.
#pragma once

#include <memory>
#include <vector>

#include "core/json.h"
#include "tokenizer/split.h"

namespace engine {

class PreTokenizer {
 public:
  virtual ~PreTokenizer() = default;
  virtual void PreTokenize(std::vector<Split>& splits) const = 0;
};

// Builds the pre-tokenizer described by `config` (null → nullptr). An unknown "type" throws TOKENIZER_UNSUPPORTED.
std::unique_ptr<PreTokenizer> MakePreTokenizer(const Json& config);

}  // namespace engine
