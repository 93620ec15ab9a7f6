#include "tokenizer/precompiled.h"

#include <utf8proc.h>

#include "tokenizer/unicode.h"

namespace engine {

namespace {

// Standard base64 (RFC 4648, with padding); whitespace is not allowed, as in the reference's decoder.
bool DecodeBase64(const std::string& text, std::string& out) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  if (text.size() % 4 != 0) return false;
  out.clear();
  out.reserve(text.size() / 4 * 3);
  for (size_t i = 0; i < text.size(); i += 4) {
    int v[4];
    int padding = 0;
    for (int k = 0; k < 4; ++k) {
      char c = text[i + k];
      if (c == '=' && i + 4 == text.size() && k >= 2) {
        v[k] = 0;
        ++padding;
        continue;
      }
      if (padding > 0) return false;  // data after padding
      v[k] = value(c);
      if (v[k] < 0) return false;
    }
    uint32_t bits = (static_cast<uint32_t>(v[0]) << 18) | (static_cast<uint32_t>(v[1]) << 12) |
                    (static_cast<uint32_t>(v[2]) << 6) | static_cast<uint32_t>(v[3]);
    out.push_back(static_cast<char>((bits >> 16) & 0xFF));
    if (padding < 2) out.push_back(static_cast<char>((bits >> 8) & 0xFF));
    if (padding < 1) out.push_back(static_cast<char>(bits & 0xFF));
  }
  return true;
}

// Fields of one double-array unit (the darts-clone layout SentencePiece writes).
bool HasLeaf(uint32_t unit) { return ((unit >> 8) & 1) != 0; }
uint32_t Value(uint32_t unit) { return unit & 0x7FFFFFFFu; }
uint32_t Label(uint32_t unit) { return unit & (0x80000000u | 0xFFu); }
uint32_t Offset(uint32_t unit) { return (unit >> 10) << ((unit & (1u << 9)) >> 6); }

using Change = NormalizedString::Change;

// Emits `replacement` for `old_count` code points with the reference's changes: one-to-one for the first ones,
// extra code points as insertions, and when code points disappear, the last emitted change (which may belong to
// an earlier chunk) swallows them.
void Replace(std::vector<Change>& changes, size_t old_count, std::string_view replacement) {
  std::u32string chars = unicode::DecodeUtf8(replacement);
  size_t first = changes.size();
  for (char32_t cp : chars) changes.push_back(Change{cp, 0});
  if (chars.size() > old_count) {
    for (size_t i = first + old_count; i < changes.size(); ++i) changes[i].change = 1;
  } else if (chars.size() < old_count && !changes.empty()) {
    changes.back().change -= static_cast<int>(old_count - chars.size());
  }
}

}  // namespace

PrecompiledCharsmap::PrecompiledCharsmap(const std::string& base64, const JsonReader& config) {
  std::string blob;
  if (!DecodeBase64(base64, blob)) config.Fail("field \"precompiled_charsmap\" is not valid base64");
  if (blob.size() < 4) config.Fail("field \"precompiled_charsmap\" is too short to hold a charsmap");
  auto byte = [&](size_t i) { return static_cast<uint32_t>(static_cast<unsigned char>(blob[i])); };
  uint32_t trie_size = byte(0) | (byte(1) << 8) | (byte(2) << 16) | (byte(3) << 24);
  if (trie_size % 4 != 0 || trie_size > blob.size() - 4) {
    config.Fail("field \"precompiled_charsmap\" declares a trie of " + std::to_string(trie_size) +
                " bytes, which does not fit its " + std::to_string(blob.size() - 4) + " bytes");
  }
  units_.resize(trie_size / 4);
  for (size_t i = 0; i < units_.size(); ++i) {
    size_t at = 4 + i * 4;
    units_[i] = byte(at) | (byte(at + 1) << 8) | (byte(at + 2) << 16) | (byte(at + 3) << 24);
  }
  replacements_ = blob.substr(4 + trie_size);
}

std::optional<std::string_view> PrecompiledCharsmap::Lookup(std::string_view text) const {
  if (units_.empty()) return std::nullopt;
  size_t node = Offset(units_[0]);
  for (char c : text) {
    auto label = static_cast<unsigned char>(c);
    node ^= label;
    if (node >= units_.size()) return std::nullopt;
    uint32_t unit = units_[node];
    if (Label(unit) != label) return std::nullopt;
    node ^= Offset(unit);
    if (node >= units_.size()) return std::nullopt;
    if (HasLeaf(unit)) {
      size_t begin = Value(units_[node]);
      if (begin >= replacements_.size()) return std::nullopt;
      size_t end = replacements_.find('\0', begin);
      if (end == std::string::npos) end = replacements_.size();
      return std::string_view(replacements_).substr(begin, end - begin);
    }
  }
  return std::nullopt;
}

PrecompiledNormalizer::PrecompiledNormalizer(const JsonReader& config)
    // The reference cannot load a file whose charsmap is absent, null or empty (its loader aborts the process);
    // this engine rejects such a file with TOKENIZER_INVALID instead.
    : charsmap_(config.String("precompiled_charsmap"), config) {}

void PrecompiledNormalizer::Normalize(NormalizedString& text) const {
  const std::u32string& chars = text.chars();
  if (chars.empty()) return;
  std::vector<Change> changes;
  changes.reserve(chars.size() + 8);
  bool modified = false;
  std::string chunk;
  utf8proc_int32_t state = 0;  // carried across the whole text, as UAX #29's rules for emoji and flags need
  size_t begin = 0;
  while (begin < chars.size()) {
    // The next extended grapheme cluster [begin, end).
    size_t end = begin + 1;
    while (end < chars.size() && !utf8proc_grapheme_break_stateful(static_cast<utf8proc_int32_t>(chars[end - 1]),
                                                                   static_cast<utf8proc_int32_t>(chars[end]), &state)) {
      ++end;
    }
    chunk.clear();
    for (size_t i = begin; i < end; ++i) unicode::AppendUtf8(chunk, chars[i]);
    // As the reference: a grapheme shorter than 6 UTF-8 bytes is first looked up whole; otherwise (or when that
    // fails) each of its code points is looked up alone.
    std::optional<std::string_view> whole;
    if (chunk.size() < 6) whole = charsmap_.Lookup(chunk);
    if (whole) {
      Replace(changes, end - begin, *whole);
      modified = true;
    } else {
      std::string one;
      for (size_t i = begin; i < end; ++i) {
        one.clear();
        unicode::AppendUtf8(one, chars[i]);
        if (auto replacement = charsmap_.Lookup(one)) {
          Replace(changes, 1, *replacement);
          modified = true;
        } else {
          changes.push_back(Change{chars[i], 0});
        }
      }
    }
    begin = end;
  }
  if (modified) text.ApplyChanges(changes);
}

}  // namespace engine
