#include "tokenizer/unicode.h"

#include <utf8proc.h>

#include <algorithm>
#include <iterator>

// Generated at build time by scripts/generate-unicode-tables.js (see there for the versions and why).
#include "unicode_tables.h"

namespace engine::unicode {

namespace {

utf8proc_category_t Category(char32_t cp) { return utf8proc_category(static_cast<utf8proc_int32_t>(cp)); }

template <size_t N>
bool InTable(const tables::CodePointRange (&table)[N], char32_t cp) {
  auto it = std::upper_bound(std::begin(table), std::end(table), cp,
                             [](char32_t value, const tables::CodePointRange& range) { return value < range.first; });
  return it != std::begin(table) && cp <= std::prev(it)->last;
}

// The reference's normalization tables are older than utf8proc's: characters they do not know have no
// decomposition and combining class 0 there.
bool NormalizationTooNew(char32_t cp) { return InTable(tables::kNormalizationTooNew, cp); }

}  // namespace

std::u32string DecodeUtf8(std::string_view text) {
  std::u32string out;
  out.reserve(text.size());
  const auto* bytes = reinterpret_cast<const utf8proc_uint8_t*>(text.data());
  utf8proc_ssize_t remaining = static_cast<utf8proc_ssize_t>(text.size());
  while (remaining > 0) {
    // Fast path for ASCII, which dominates real text.
    if (*bytes < 0x80) {
      out.push_back(*bytes);
      ++bytes;
      --remaining;
      continue;
    }
    utf8proc_int32_t cp = 0;
    utf8proc_ssize_t length = utf8proc_iterate(bytes, remaining, &cp);
    if (length <= 0) {
      out.push_back(0xFFFD);
      ++bytes;
      --remaining;
      continue;
    }
    out.push_back(static_cast<char32_t>(cp));
    bytes += length;
    remaining -= length;
  }
  return out;
}

void AppendUtf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
    return;
  }
  utf8proc_uint8_t buffer[4];
  utf8proc_ssize_t length = utf8proc_encode_char(static_cast<utf8proc_int32_t>(cp), buffer);
  if (length <= 0) {  // not a scalar value (a surrogate): write U+FFFD, as a lossy encoder would
    length = utf8proc_encode_char(0xFFFD, buffer);
  }
  out.append(reinterpret_cast<const char*>(buffer), static_cast<size_t>(length));
}

std::string EncodeUtf8(std::u32string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char32_t cp : text) AppendUtf8(out, cp);
  return out;
}

bool IsWhitespace(char32_t cp) {
  if ((cp >= 0x09 && cp <= 0x0D) || cp == 0x20 || cp == 0x85) return true;
  if (cp < 0x80) return false;
  auto category = Category(cp);
  return category == UTF8PROC_CATEGORY_ZS || category == UTF8PROC_CATEGORY_ZL || category == UTF8PROC_CATEGORY_ZP;
}

bool IsAlphanumeric(char32_t cp) {
  if (cp < 0x80) return (cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z');
  switch (Category(cp)) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
      return true;
    default:
      return IsNumeric(cp);
  }
}

bool IsNumeric(char32_t cp) {
  if (cp < 0x80) return cp >= '0' && cp <= '9';
  switch (Category(cp)) {
    case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_NL:
    case UTF8PROC_CATEGORY_NO:
      return true;
    default:
      return false;
  }
}

// The next three follow the `unicode_categories` crate, whose tables are Unicode 8.0: a character assigned later
// is none of these in the reference, whatever its category today.
bool IsPunctuation(char32_t cp) {
  if (cp < 0x80) {
    return (cp >= 0x21 && cp <= 0x2F && cp != 0x24 && cp != 0x2B) || cp == 0x3A || cp == 0x3B || cp == 0x3F ||
           cp == 0x40 || (cp >= 0x5B && cp <= 0x5D) || cp == 0x5F || cp == 0x7B || cp == 0x7D;
  }
  return InTable(tables::kPunctuation, cp);
}

bool IsMarkNonspacing(char32_t cp) { return cp >= 0x300 && InTable(tables::kMarkNonspacing, cp); }

bool IsCombiningMark(char32_t cp) {
  if (cp < 0x300) return false;
  auto category = Category(cp);
  bool mark = category == UTF8PROC_CATEGORY_MN || category == UTF8PROC_CATEGORY_MC || category == UTF8PROC_CATEGORY_ME;
  return mark && InNormalizationTables(cp);
}

// Unassigned code points (Cn) are not "other": the reference keeps them ("x\u0378y" stays one word).
bool IsOther(char32_t cp) { return InTable(tables::kOther, cp); }

void AppendLowercase(std::u32string& out, char32_t cp) {
  if (cp < 0x80) {
    out.push_back((cp >= 'A' && cp <= 'Z') ? cp + 32 : cp);
    return;
  }
  // SpecialCasing.txt's only unconditional multi-code-point lowercase mapping; utf8proc exposes simple
  // mappings only, and Rust's `char::to_lowercase` applies this one.
  if (cp == 0x0130) {
    out.push_back(0x0069);
    out.push_back(0x0307);
    return;
  }
  out.push_back(static_cast<char32_t>(utf8proc_tolower(static_cast<utf8proc_int32_t>(cp))));
}

void AppendCanonicalDecomposition(std::u32string& out, char32_t cp) {
  if (cp < 0xC0 || NormalizationTooNew(cp)) {  // nothing below U+00C0 decomposes canonically
    out.push_back(cp);
    return;
  }
  utf8proc_int32_t buffer[8];
  int last_boundclass = 0;
  utf8proc_ssize_t count = utf8proc_decompose_char(static_cast<utf8proc_int32_t>(cp), buffer, 8,
                                                   UTF8PROC_DECOMPOSE, &last_boundclass);
  if (count <= 0 || count > 8) {  // canonical decompositions are at most 4 code points; be defensive
    out.push_back(cp);
    return;
  }
  for (utf8proc_ssize_t i = 0; i < count; ++i) out.push_back(static_cast<char32_t>(buffer[i]));
}

int CombiningClass(char32_t cp) {
  if (cp < 0x300 || NormalizationTooNew(cp)) return 0;
  return utf8proc_get_property(static_cast<utf8proc_int32_t>(cp))->combining_class;
}

bool InNormalizationTables(char32_t cp) { return !NormalizationTooNew(cp); }

}  // namespace engine::unicode
