// The byte-level alphabet of GPT-2 style tokenizers: each of the 256 byte values is shown as one printable
// code point, so that any UTF-8 text becomes a string of "byte characters" a BPE vocabulary can cover.
// Printable Latin-1 bytes (! to ~, ¡ to ¬, ® to ÿ) stand for themselves; the others map, in byte order, to
// U+0100 onwards. Shared by the ByteLevel pre-tokenizer, post-processor and decoder.
#pragma once

#include <array>
#include <cstdint>
#include <optional>

namespace engine::byte_level {

// The code point that shows byte `b`.
char32_t ByteToChar(uint8_t b);
// The byte a code point of the alphabet stands for; nullopt for code points outside the alphabet.
std::optional<uint8_t> CharToByte(char32_t cp);

}  // namespace engine::byte_level
