// Post-processors from tokenizer.json's "post_processor" field: they add the model's special tokens
// ([CLS] ... [SEP]) and set the type ids of single texts and pairs.
#pragma once

#include <memory>
#include <optional>

#include "core/json.h"
#include "tokenizer/encoding.h"

namespace engine {

class PostProcessor {
 public:
  virtual ~PostProcessor() = default;
  // How many tokens Process adds with special tokens on (truncation leaves room for them).
  virtual size_t AddedTokens(bool is_pair) const = 0;
  // Merges `first` and the optional `second` into one encoding.
  virtual Encoding Process(Encoding first, std::optional<Encoding> second, bool add_special_tokens) const = 0;
};

// Builds the post-processor described by `config` (null → nullptr). Unknown types throw TOKENIZER_UNSUPPORTED.
// `token_to_id` resolves special tokens for processors that name them without ids.
std::unique_ptr<PostProcessor> MakePostProcessor(const Json& config);

// What Hugging Face does with no post-processor: concatenate, type ids 0 then 1, no special tokens.
Encoding DefaultPostProcess(Encoding first, std::optional<Encoding> second);

}  // namespace engine
