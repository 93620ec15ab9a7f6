#include "tokenizer/pre_tokenizers.h"

#include "tokenizer/byte_level.h"
#include "tokenizer/metaspace.h"
#include "tokenizer/regex.h"
#include "tokenizer/unicode.h"

namespace engine {

namespace {

bool IsBertPunctuation(char32_t cp) {
  // ASCII symbols such as $, +, ^ and ` are not Unicode punctuation, but BERT splits them too.
  if (cp < 0x80) return (cp >= 33 && cp <= 47) || (cp >= 58 && cp <= 64) || (cp >= 91 && cp <= 96) || (cp >= 123 && cp <= 126);
  return unicode::IsPunctuation(cp);
}

// Splits on whitespace (dropped) and on BERT punctuation (each one its own word).
class BertPreTokenizer final : public PreTokenizer {
 public:
  void PreTokenize(std::vector<Split>& splits) const override {
    SplitEach(splits, [](const NormalizedString& text, Ranges& ranges) {
      const auto& chars = text.chars();
      size_t word_start = 0;
      for (size_t i = 0; i < chars.size(); ++i) {
        char32_t cp = chars[i];
        if (unicode::IsWhitespace(cp)) {
          ranges.emplace_back(word_start, i);
          word_start = i + 1;
        } else if (IsBertPunctuation(cp)) {
          ranges.emplace_back(word_start, i);
          ranges.emplace_back(i, i + 1);
          word_start = i + 1;
        }
      }
      ranges.emplace_back(word_start, chars.size());
    });
  }
};

// Splits on whitespace only.
class WhitespaceSplitPreTokenizer final : public PreTokenizer {
 public:
  void PreTokenize(std::vector<Split>& splits) const override {
    SplitEach(splits, [](const NormalizedString& text, Ranges& ranges) {
      const auto& chars = text.chars();
      size_t word_start = 0;
      for (size_t i = 0; i < chars.size(); ++i) {
        if (unicode::IsWhitespace(chars[i])) {
          ranges.emplace_back(word_start, i);
          word_start = i + 1;
        }
      }
      ranges.emplace_back(word_start, chars.size());
    });
  }
};

// GPT-2's pre-tokenizer: optionally a space before each piece of text, the GPT-2 pattern (contractions, letters,
// numbers, other symbols, whitespace runs), then every code point rewritten as the byte characters of its UTF-8
// form. Each byte character keeps its code point's origin, so a token holding part of a multi-byte character
// reports the whole character, as the reference does.
class ByteLevelPreTokenizer final : public PreTokenizer {
 public:
  explicit ByteLevelPreTokenizer(const JsonReader& config)
      : add_prefix_space_(config.Bool("add_prefix_space", true)), use_regex_(config.Bool("use_regex", true)) {
    // trim_offsets belongs to the post-processor and decoder roles of ByteLevel; read it only to validate it.
    config.Bool("trim_offsets", true);
    if (use_regex_) {
      regex_ = std::make_unique<Regex>(
          R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)");
    }
  }

  void PreTokenize(std::vector<Split>& splits) const override {
    if (add_prefix_space_) {
      for (auto& split : splits) {
        // Only a plain space counts as already there (a tab or newline still gets one); the added space shares
        // the origin of the character it precedes.
        if (split.resolved || split.normalized.empty() || split.normalized.chars()[0] == U' ') continue;
        bool first = true;
        split.normalized.Transform([&first](char32_t cp, std::u32string& out) {
          if (first) out.push_back(U' ');
          first = false;
          out.push_back(cp);
        });
      }
    }
    if (regex_) {
      MatchPieces pieces;
      SplitEach(splits, [&](const NormalizedString& text, Ranges& ranges) {
        pieces.clear();
        MatchRanges(text.size(), regex_->FindAll(text.chars()), pieces);
        ApplySplitBehavior(pieces, SplitBehavior::Isolated, false, ranges);
      });
    }
    std::string bytes;
    for (auto& split : splits) {
      if (split.resolved) continue;
      split.normalized.Transform([&bytes](char32_t cp, std::u32string& out) {
        if (cp < 0x80) {
          out.push_back(byte_level::ByteToChar(static_cast<uint8_t>(cp)));
          return;
        }
        bytes.clear();
        unicode::AppendUtf8(bytes, cp);
        for (char b : bytes) out.push_back(byte_level::ByteToChar(static_cast<uint8_t>(b)));
      });
    }
  }

 private:
  bool add_prefix_space_;
  bool use_regex_;
  std::unique_ptr<Regex> regex_;
};

// Cuts every unresolved split at the pieces `find(text, pieces)` reports, under one behaviour.
template <typename Find>
void SplitByPieces(std::vector<Split>& splits, SplitBehavior behavior, bool invert, Find&& find) {
  MatchPieces pieces;
  SplitEach(splits, [&](const NormalizedString& text, Ranges& ranges) {
    pieces.clear();
    find(text.chars(), pieces);
    ApplySplitBehavior(pieces, behavior, invert, ranges);
  });
}

// Words are runs of word characters or runs of other non-space characters: \w+|[^\w\s]+ (whitespace dropped).
// The reference compiles this pattern with Rust's `regex` crate, not Oniguruma, and there \w is Alphabetic, marks,
// Nd, Pc and Join_Control (so U+200D ZERO WIDTH JOINER is a word character) and \s is White_Space: the classes
// are spelled out with those properties so that Oniguruma means the same.
class WhitespacePreTokenizer final : public PreTokenizer {
 public:
  WhitespacePreTokenizer()
      : regex_(R"([\p{Alphabetic}\p{M}\p{Nd}\p{Pc}\p{Join_Control}]+|[^\p{Alphabetic}\p{M}\p{Nd}\p{Pc}\p{Join_Control}\p{White_Space}]+)") {}
  void PreTokenize(std::vector<Split>& splits) const override {
    // Keep the matches: invert them into non-matches, then remove what is left.
    SplitByPieces(splits, SplitBehavior::Removed, true, [&](const std::u32string& text, MatchPieces& pieces) {
      MatchRanges(text.size(), regex_.FindAll(text), pieces);
    });
  }

 private:
  Regex regex_;
};

// Splits on punctuation (ASCII punctuation and Unicode P*), each punctuation character a match.
class PunctuationPreTokenizer final : public PreTokenizer {
 public:
  explicit PunctuationPreTokenizer(SplitBehavior behavior) : behavior_(behavior) {}
  void PreTokenize(std::vector<Split>& splits) const override {
    SplitByPieces(splits, behavior_, false, [](const std::u32string& text, MatchPieces& pieces) {
      MatchEachChar(text, IsBertPunctuation, pieces);
    });
  }

 private:
  SplitBehavior behavior_;
};

// Splits off numeric characters: each on its own (individual_digits) or as runs.
class DigitsPreTokenizer final : public PreTokenizer {
 public:
  explicit DigitsPreTokenizer(bool individual) : individual_(individual) {}
  void PreTokenize(std::vector<Split>& splits) const override {
    SplitBehavior behavior = individual_ ? SplitBehavior::Isolated : SplitBehavior::Contiguous;
    SplitByPieces(splits, behavior, false, [](const std::u32string& text, MatchPieces& pieces) {
      MatchEachChar(text, unicode::IsNumeric, pieces);
    });
  }

 private:
  bool individual_;
};

// Splits on one delimiter character, which is removed.
class CharDelimiterSplitPreTokenizer final : public PreTokenizer {
 public:
  explicit CharDelimiterSplitPreTokenizer(char32_t delimiter) : delimiter_(delimiter) {}
  void PreTokenize(std::vector<Split>& splits) const override {
    SplitByPieces(splits, SplitBehavior::Removed, false, [&](const std::u32string& text, MatchPieces& pieces) {
      MatchEachChar(text, [&](char32_t cp) { return cp == delimiter_; }, pieces);
    });
  }

 private:
  char32_t delimiter_;
};

// Splits on a literal string or a regular expression, under any behaviour, optionally inverted.
class SplitPreTokenizer final : public PreTokenizer {
 public:
  SplitPreTokenizer(std::u32string literal, std::unique_ptr<Regex> regex, SplitBehavior behavior, bool invert)
      : literal_(std::move(literal)), regex_(std::move(regex)), behavior_(behavior), invert_(invert) {}

  void PreTokenize(std::vector<Split>& splits) const override {
    SplitByPieces(splits, behavior_, invert_, [&](const std::u32string& text, MatchPieces& pieces) {
      if (regex_) {
        MatchRanges(text.size(), regex_->FindAll(text), pieces);
      } else if (literal_.empty()) {
        // The reference escapes the string into a regex; an empty one matches (emptily) before every character
        // and at the end, which cuts the text into single characters.
        Ranges matches;
        for (size_t at = 0; at <= text.size(); ++at) matches.emplace_back(at, at);
        MatchRanges(text.size(), matches, pieces);
      } else {
        Ranges matches;
        for (size_t at = text.find(literal_); at != std::u32string::npos; at = text.find(literal_, at + literal_.size())) {
          matches.emplace_back(at, at + literal_.size());
        }
        MatchRanges(text.size(), matches, pieces);
      }
    });
  }

 private:
  std::u32string literal_;
  std::unique_ptr<Regex> regex_;  // null for a literal pattern
  SplitBehavior behavior_;
  bool invert_;
};

// `fallback` null: the field is required (Split's "behavior" has no default in the reference).
SplitBehavior ReadBehavior(const JsonReader& reader, const char* key, const char* fallback) {
  std::string name = fallback ? reader.String(key, fallback) : reader.String(key);
  if (name == "Removed") return SplitBehavior::Removed;
  if (name == "Isolated") return SplitBehavior::Isolated;
  if (name == "MergedWithPrevious") return SplitBehavior::MergedWithPrevious;
  if (name == "MergedWithNext") return SplitBehavior::MergedWithNext;
  if (name == "Contiguous") return SplitBehavior::Contiguous;
  reader.Fail(std::string("field \"") + key + "\" has the unknown behavior \"" + name + "\"");
}

std::unique_ptr<PreTokenizer> MakeSplit(const JsonReader& reader) {
  const Json& pattern = reader.Required("pattern");
  if (!pattern.is_object() || pattern.size() != 1 || !pattern.begin().value().is_string()) {
    reader.Fail("field \"pattern\" must be {\"String\": text} or {\"Regex\": pattern}");
  }
  const std::string kind = pattern.begin().key();
  const std::string text = pattern.begin().value().get<std::string>();
  SplitBehavior behavior = ReadBehavior(reader, "behavior", nullptr);
  bool invert = reader.Bool("invert", false);
  if (kind == "String") return std::make_unique<SplitPreTokenizer>(unicode::DecodeUtf8(text), nullptr, behavior, invert);
  if (kind == "Regex") return std::make_unique<SplitPreTokenizer>(U"", std::make_unique<Regex>(text), behavior, invert);
  reader.Fail("field \"pattern\" must be {\"String\": text} or {\"Regex\": pattern}");
}

class SequencePreTokenizer final : public PreTokenizer {
 public:
  explicit SequencePreTokenizer(std::vector<std::unique_ptr<PreTokenizer>> steps) : steps_(std::move(steps)) {}
  void PreTokenize(std::vector<Split>& splits) const override {
    for (const auto& step : steps_) step->PreTokenize(splits);
  }

 private:
  std::vector<std::unique_ptr<PreTokenizer>> steps_;
};

}  // namespace

std::unique_ptr<PreTokenizer> MakePreTokenizer(const Json& config) {
  if (config.is_null()) return nullptr;
  JsonReader reader(config, "tokenizer.json pre_tokenizer", ErrorCode::TokenizerInvalid);
  std::string type = reader.String("type");
  if (type == "BertPreTokenizer") return std::make_unique<BertPreTokenizer>();
  if (type == "WhitespaceSplit") return std::make_unique<WhitespaceSplitPreTokenizer>();
  if (type == "Metaspace") return std::make_unique<Metaspace>(reader);
  if (type == "Whitespace") return std::make_unique<WhitespacePreTokenizer>();
  if (type == "ByteLevel") return std::make_unique<ByteLevelPreTokenizer>(reader);
  if (type == "Punctuation") return std::make_unique<PunctuationPreTokenizer>(ReadBehavior(reader, "behavior", "Isolated"));
  if (type == "Digits") return std::make_unique<DigitsPreTokenizer>(reader.Bool("individual_digits", false));
  if (type == "Split") return MakeSplit(reader);
  if (type == "CharDelimiterSplit") {
    std::u32string delimiter = unicode::DecodeUtf8(reader.String("delimiter"));
    if (delimiter.size() != 1) reader.Fail("field \"delimiter\" must be one character");
    return std::make_unique<CharDelimiterSplitPreTokenizer>(delimiter[0]);
  }
  if (type == "Sequence") {
    return std::make_unique<SequencePreTokenizer>(BuildEach(reader, "pretokenizers", MakePreTokenizer));
  }
  throw EngineError(ErrorCode::TokenizerUnsupported, "tokenizer.json uses the pre-tokenizer \"" + type +
                                                         "\", which this engine does not support yet");
}

}  // namespace engine
