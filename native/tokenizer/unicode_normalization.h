// Unicode normalization forms (NFD, NFKD, NFC, NFKC) on a NormalizedString, aligned exactly as Hugging Face
// tokenizers aligns them: every output code point carries a "change" (0 for a one-to-one step, 1 for each extra
// code point of a decomposition, -n when a composition swallows n code points), the changes travel with their
// code points through canonical reordering, and origins are then assigned positionally
// (NormalizedString::ApplyChanges). So a composed "é" from "e\u0301" reports the span of the "e" alone, as the
// reference does.
#pragma once

#include "tokenizer/normalized_string.h"

namespace engine {

enum class NormalizationForm { Nfd, Nfkd, Nfc, Nfkc };

void UnicodeNormalize(NormalizedString& text, NormalizationForm form);

}  // namespace engine
