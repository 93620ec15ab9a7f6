#include "tokenizer/added_vocabulary.h"

#include <algorithm>

#include "tokenizer/unicode.h"

namespace engine {

namespace {

bool IsWordChar(char32_t cp) { return unicode::IsAlphanumeric(cp) || cp == U'_'; }

}  // namespace

AddedVocabulary::AddedVocabulary(const Json& config, const Normalizer* normalizer) {
  if (config.is_null()) return;
  if (!config.is_array()) throw EngineError(ErrorCode::TokenizerInvalid, "tokenizer.json added_tokens must be an array");
  for (const auto& item : config) {
    JsonReader reader(item, "tokenizer.json added_tokens entry", ErrorCode::TokenizerInvalid);
    AddedToken token;
    int64_t id = reader.Int("id");
    if (id < 0) reader.Fail("field \"id\" must not be negative");
    token.id = static_cast<uint32_t>(id);
    token.content = reader.String("content");
    token.single_word = reader.Bool("single_word", false);
    token.lstrip = reader.Bool("lstrip", false);
    token.rstrip = reader.Bool("rstrip", false);
    token.special = reader.Bool("special", false);
    token.normalized = reader.Bool("normalized", !token.special);
    by_id_[token.id] = tokens_.size();
    tokens_.push_back(std::move(token));
  }
  for (size_t i = 0; i < tokens_.size(); ++i) {
    const AddedToken& token = tokens_[i];
    if (token.content.empty()) continue;
    if (token.normalized) {
      NormalizedString content(unicode::DecodeUtf8(token.content));
      if (normalizer) normalizer->Normalize(content);
      AddPattern(normalized_, content.chars(), i);
    } else {
      AddPattern(raw_, unicode::DecodeUtf8(token.content), i);
    }
  }
}

void AddedVocabulary::AddPattern(Matcher& matcher, std::u32string text, size_t token_index) {
  if (text.empty()) return;
  auto& bucket = matcher.by_first[text[0]];
  bucket.push_back(Pattern{std::move(text), token_index});
  std::stable_sort(bucket.begin(), bucket.end(),
                   [](const Pattern& a, const Pattern& b) { return a.text.size() > b.text.size(); });
}

const AddedToken* AddedVocabulary::FindById(uint32_t id) const {
  auto it = by_id_.find(id);
  return it == by_id_.end() ? nullptr : &tokens_[it->second];
}

std::vector<AddedVocabulary::Match> AddedVocabulary::FindMatches(const std::u32string& text,
                                                                 const Matcher& matcher) const {
  std::vector<Match> out;
  if (matcher.empty() || text.empty()) {
    out.push_back(Match{false, 0, 0, text.size()});
    return out;
  }
  size_t start_offset = 0;  // end of the previous accepted match
  size_t pos = 0;
  while (pos < text.size()) {
    auto bucket = matcher.by_first.find(text[pos]);
    const Pattern* found = nullptr;
    if (bucket != matcher.by_first.end()) {
      for (const auto& pattern : bucket->second) {
        if (text.compare(pos, pattern.text.size(), pattern.text) == 0) {
          found = &pattern;
          break;
        }
      }
    }
    if (!found) {
      ++pos;
      continue;
    }
    size_t begin = pos;
    size_t end = pos + found->text.size();
    pos = end;  // matches do not overlap
    const AddedToken& token = tokens_[found->token_index];
    if (token.single_word) {
      bool space_before = begin == 0 || !IsWordChar(text[begin - 1]);
      bool space_after = end == text.size() || !IsWordChar(text[end]);
      if (!space_before || !space_after) continue;
    }
    if (token.lstrip) {
      size_t new_begin = begin;
      while (new_begin > 0 && unicode::IsWhitespace(text[new_begin - 1])) --new_begin;
      begin = std::max(new_begin, start_offset);
    }
    if (token.rstrip) {
      while (end < text.size() && unicode::IsWhitespace(text[end])) ++end;
    }
    if (start_offset < begin) out.push_back(Match{false, 0, start_offset, begin});
    out.push_back(Match{true, found->token_index, begin, end});
    start_offset = end;
  }
  if (start_offset != text.size()) out.push_back(Match{false, 0, start_offset, text.size()});
  return out;
}

std::vector<Split> AddedVocabulary::ExtractAndNormalize(const std::u32string& text, const Normalizer* normalizer) const {
  std::vector<Split> splits;
  for (const Match& raw : FindMatches(text, raw_)) {
    if (raw.begin == raw.end) continue;
    NormalizedString piece(text.substr(raw.begin, raw.end - raw.begin), static_cast<uint32_t>(raw.begin));
    if (raw.is_token) {
      auto length = static_cast<uint32_t>(piece.size());
      splits.push_back(Split{std::move(piece), {Token{tokens_[raw.token_index].id, 0, length}}, true});
      continue;
    }
    if (normalizer) normalizer->Normalize(piece);
    if (normalized_.empty()) {
      if (!piece.empty()) splits.push_back(Split{std::move(piece), {}, false});
      continue;
    }
    for (const Match& inner : FindMatches(piece.chars(), normalized_)) {
      if (inner.begin == inner.end) continue;
      NormalizedString sub = piece.Slice(inner.begin, inner.end);
      if (inner.is_token) {
        auto length = static_cast<uint32_t>(sub.size());
        splits.push_back(Split{std::move(sub), {Token{tokens_[inner.token_index].id, 0, length}}, true});
      } else {
        splits.push_back(Split{std::move(sub), {}, false});
      }
    }
  }
  return splits;
}

}  // namespace engine
