// Decoders from tokenizer.json's "decoder" field: they turn token strings back into text (Hugging Face's
// `decode_chain`: each decoder maps a list of token strings to a new list; the final list is concatenated).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/json.h"

namespace engine {

class Decoder {
 public:
  virtual ~Decoder() = default;
  // Rewrites `tokens` (UTF-8 strings) in place; the list may shrink or grow.
  virtual void DecodeChain(std::vector<std::string>& tokens) const = 0;
};

// Builds the decoder described by `config` (null → nullptr). An unknown "type" throws TOKENIZER_UNSUPPORTED;
// a malformed field throws TOKENIZER_INVALID naming it.
std::unique_ptr<Decoder> MakeDecoder(const Json& config);

// The text of `tokens`: the decoder's chain, concatenated; with no decoder, the tokens joined by single spaces
// (what Hugging Face does without one).
std::string DecodeTokens(const Decoder* decoder, std::vector<std::string> tokens);

}  // namespace engine
