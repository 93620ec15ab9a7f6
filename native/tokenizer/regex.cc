#include "tokenizer/regex.h"

#include <oniguruma.h>

#include <mutex>

#include "core/error.h"
#include "tokenizer/unicode.h"

namespace engine {

namespace {

// UTF-32 in the machine's byte order; the tokenizer's std::u32string is exactly that in memory.
OnigEncoding Utf32Encoding() {
  static const uint16_t probe = 1;
  return *reinterpret_cast<const uint8_t*>(&probe) == 1 ? ONIG_ENCODING_UTF32_LE : ONIG_ENCODING_UTF32_BE;
}

void InitializeOniguruma() {
  static std::once_flag once;
  std::call_once(once, [] {
    OnigEncoding encodings[] = {Utf32Encoding()};
    onig_initialize(encodings, 1);
  });
}

std::string OnigMessage(int code, OnigErrorInfo* info) {
  OnigUChar buffer[ONIG_MAX_ERROR_MESSAGE_LEN];
  int length = info ? onig_error_code_to_str(buffer, code, info) : onig_error_code_to_str(buffer, code);
  return std::string(reinterpret_cast<const char*>(buffer), length > 0 ? static_cast<size_t>(length) : 0);
}

using Unit = char32_t;
constexpr size_t kUnit = sizeof(Unit);

}  // namespace

Regex::Regex(const std::string& pattern) : pattern_(pattern) {
  InitializeOniguruma();
  std::u32string wide = unicode::DecodeUtf8(pattern);
  const auto* start = reinterpret_cast<const OnigUChar*>(wide.data());
  const auto* end = start + wide.size() * kUnit;
  OnigRegex regex = nullptr;
  OnigErrorInfo error_info;
  int code = onig_new(&regex, start, end, ONIG_OPTION_NONE, Utf32Encoding(), ONIG_SYNTAX_DEFAULT, &error_info);
  if (code != ONIG_NORMAL) {
    throw EngineError(ErrorCode::TokenizerInvalid,
                      "tokenizer.json has a regular expression that does not compile (" + OnigMessage(code, &error_info) +
                          "): " + pattern);
  }
  regex_ = regex;
}

Regex::~Regex() {
  if (regex_) onig_free(static_cast<OnigRegex>(regex_));
}

std::vector<std::pair<size_t, size_t>> Regex::FindAll(const std::u32string& text) const {
  std::vector<std::pair<size_t, size_t>> matches;
  auto regex = static_cast<OnigRegex>(regex_);
  const auto* base = reinterpret_cast<const OnigUChar*>(text.data());
  const auto* end = base + text.size() * kUnit;
  OnigRegion* region = onig_region_new();
  size_t search_from = 0;  // in code points
  bool has_last = false;
  size_t last_match_end = 0;
  while (search_from <= text.size()) {
    onig_region_clear(region);
    int found = onig_search(regex, base, end, base + search_from * kUnit, end, region, ONIG_OPTION_NONE);
    if (found == ONIG_MISMATCH) break;
    if (found < 0) {
      onig_region_free(region, 1);
      throw EngineError(ErrorCode::Internal, "regular expression search failed (" + OnigMessage(found, nullptr) +
                                                 "): " + pattern_ + ". This is a bug.");
    }
    size_t begin = static_cast<size_t>(region->beg[0]) / kUnit;
    size_t finish = static_cast<size_t>(region->end[0]) / kUnit;
    if (begin == finish && has_last && last_match_end == finish) {
      ++search_from;  // no empty match right after the previous one: step over one code point
      continue;
    }
    search_from = finish;
    has_last = true;
    last_match_end = finish;
    matches.emplace_back(begin, finish);
  }
  onig_region_free(region, 1);
  return matches;
}

}  // namespace engine
