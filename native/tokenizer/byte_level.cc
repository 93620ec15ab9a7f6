#include "tokenizer/byte_level.h"


namespace engine::byte_level {

namespace {

bool ShowsItself(int b) { return (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF); }

const std::array<char32_t, 256>& Table() {
  static const std::array<char32_t, 256> table = [] {
    std::array<char32_t, 256> t{};
    char32_t next = 0x100;
    for (int b = 0; b < 256; ++b) t[b] = ShowsItself(b) ? static_cast<char32_t>(b) : next++;
    return t;
  }();
  return table;
}

}  // namespace

char32_t ByteToChar(uint8_t b) { return Table()[b]; }

std::optional<uint8_t> CharToByte(char32_t cp) {
  if (cp < 0x100) {
    if (ShowsItself(static_cast<int>(cp))) return static_cast<uint8_t>(cp);
    return std::nullopt;
  }
  if (cp >= 0x100 + 68) return std::nullopt;  // 256 bytes - 188 that show themselves = 68 remapped
  return static_cast<uint8_t>([&] {
    for (int b = 0; b < 256; ++b) {
      if (Table()[b] == cp) return b;
    }
    return 0;
  }());
}

}  // namespace engine::byte_level
