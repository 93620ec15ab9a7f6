// Normalizers from tokenizer.json's "normalizer" field.
#pragma once

#include <memory>

#include "core/json.h"
#include "tokenizer/normalized_string.h"

namespace engine {

class Normalizer {
 public:
  virtual ~Normalizer() = default;
  virtual void Normalize(NormalizedString& text) const = 0;
};

// Builds the normalizer described by `config` (null → nullptr). An unknown "type" throws TOKENIZER_UNSUPPORTED.
std::unique_ptr<Normalizer> MakeNormalizer(const Json& config);

}  // namespace engine
