// Unicode character data for the tokenizer, backed by utf8proc (no hand-written tables).
//
// Hugging Face tokenizers (Rust) mixes two sources: the standard library (is_whitespace, is_alphanumeric,
// to_lowercase) and the `unicode_categories` crate (punctuation, marks, "other"). The predicates below are
// named after the Rust function each one mirrors, so that a parity question maps to one place.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace engine::unicode {

// Decodes UTF-8 into code points. Invalid sequences decode to U+FFFD, one per bad byte, like a lossy decoder.
std::u32string DecodeUtf8(std::string_view text);
void AppendUtf8(std::string& out, char32_t cp);
std::string EncodeUtf8(std::u32string_view text);

// Rust `char::is_whitespace`: the White_Space property (Zs, Zl, Zp, U+0009..U+000D, U+0085).
bool IsWhitespace(char32_t cp);
// Rust `char::is_alphanumeric`: Alphabetic or Numeric (letters, Nl, Nd, No; approximated by L*, N*).
bool IsAlphanumeric(char32_t cp);
// Rust `char::is_numeric`: Nd, Nl, No.
bool IsNumeric(char32_t cp);
// `unicode_categories::UnicodeCategories::is_punctuation`: Pc, Pd, Ps, Pe, Pi, Pf, Po.
bool IsPunctuation(char32_t cp);
// `is_mark_nonspacing`: Mn.
bool IsMarkNonspacing(char32_t cp);
// `unicode_normalization::char::is_combining_mark` (the StripAccents normalizer): Mn, Mc, Me, in the
// reference's Unicode 9.0 tables (see InNormalizationTables).
bool IsCombiningMark(char32_t cp);
// `is_other`: Cc, Cf, Co, Cs (and Cn, which the reference's tables do not flag in practice; see .cc).
bool IsOther(char32_t cp);

// Rust `char::to_lowercase` (full mapping: may yield more than one code point).
void AppendLowercase(std::u32string& out, char32_t cp);
// Canonical decomposition of one code point (NFD without reordering), appended to `out`.
void AppendCanonicalDecomposition(std::u32string& out, char32_t cp);
// Canonical combining class, for the reordering step of NFD.
int CombiningClass(char32_t cp);

// Whether the reference's Unicode normalization tables (the `unicode-normalization-alignments` crate, Unicode
// 9.0 data; measured with the `tokenizers` package) know `cp`. Code points assigned later neither decompose,
// reorder nor compose there, so normalization must leave them alone to match it.
bool InNormalizationTables(char32_t cp);

}  // namespace engine::unicode
