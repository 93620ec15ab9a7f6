// Post-processors from tokenizer.json's "post_processor" field: they add the model's special tokens
// ([CLS] ... [SEP], <s> ... </s>), set the type ids of single texts and pairs, and (ByteLevel, RobertaProcessing)
// trim the spaces byte-level tokens carry out of their offsets.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/json.h"
#include "tokenizer/encoding.h"

namespace engine {

class PostProcessor {
 public:
  virtual ~PostProcessor() = default;
  // How many tokens Process adds with special tokens on (truncation leaves room for them).
  virtual size_t AddedTokens(bool is_pair) const = 0;
  // One step on the list of encodings (one per input sequence, or already merged by an earlier step): Hugging
  // Face's process_encodings, which Sequence chains.
  virtual void ProcessEncodings(std::vector<Encoding>& encodings, bool add_special_tokens) const = 0;
  // Merges `first` and the optional `second` into one encoding: ProcessEncodings, then concatenation.
  Encoding Process(Encoding first, std::optional<Encoding> second, bool add_special_tokens) const;
};

// Token strings by id, for processors that look at them (offset trimming). Ids below `count` are read once at
// load time; `of` answers for any id.
struct TokenStrings {
  size_t count = 0;
  std::function<std::string(uint32_t)> of;
};

// Builds the post-processor described by `config` (null → nullptr). Unknown types throw TOKENIZER_UNSUPPORTED.
std::unique_ptr<PostProcessor> MakePostProcessor(const Json& config, const TokenStrings& tokens);

// What Hugging Face does with no post-processor: concatenate, type ids 0 then 1, no special tokens.
Encoding DefaultPostProcess(Encoding first, std::optional<Encoding> second);

}  // namespace engine
