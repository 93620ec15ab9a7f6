#include "tokenizer/normalizers.h"

#include <vector>

#include "tokenizer/precompiled.h"
#include "tokenizer/regex.h"
#include "tokenizer/unicode.h"
#include "tokenizer/unicode_normalization.h"

namespace engine {

namespace {

// The CJK ranges of the original BERT implementation ("Chinese characters" there include Japanese kanji and
// Korean hanja but not kana or hangul). These ranges are the algorithm's definition, not Unicode data.
bool IsChineseChar(char32_t cp) {
  return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x20000 && cp <= 0x2A6DF) ||
         (cp >= 0x2A700 && cp <= 0x2B73F) || (cp >= 0x2B740 && cp <= 0x2B81F) || (cp >= 0x2B920 && cp <= 0x2CEAF) ||
         (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x2F800 && cp <= 0x2FA1F);
}

void StripAccents(NormalizedString& text) {
  text.Filter([](char32_t cp) { return !unicode::IsMarkNonspacing(cp); });
}

void Lowercase(NormalizedString& text) {
  text.Transform([](char32_t cp, std::u32string& out) { unicode::AppendLowercase(out, cp); });
}

class BertNormalizer final : public Normalizer {
 public:
  explicit BertNormalizer(const JsonReader& config)
      : clean_text_(config.Bool("clean_text", true)),
        handle_chinese_chars_(config.Bool("handle_chinese_chars", true)),
        lowercase_(config.Bool("lowercase", true)),
        // null means "follow lowercase", as in the original BERT.
        strip_accents_(config.Bool("strip_accents", lowercase_)) {}

  void Normalize(NormalizedString& text) const override {
    if (clean_text_) {
      text.Filter([](char32_t cp) {
        bool is_control = cp != '\t' && cp != '\n' && cp != '\r' && unicode::IsOther(cp);
        return !(cp == 0 || cp == 0xFFFD || is_control);
      });
      text.Transform([](char32_t cp, std::u32string& out) { out.push_back(unicode::IsWhitespace(cp) ? U' ' : cp); });
    }
    if (handle_chinese_chars_) {
      text.Transform([](char32_t cp, std::u32string& out) {
        if (IsChineseChar(cp)) {
          out.push_back(U' ');
          out.push_back(cp);
          out.push_back(U' ');
        } else {
          out.push_back(cp);
        }
      });
    }
    if (strip_accents_) {
      text.Nfd();
      StripAccents(text);
    }
    if (lowercase_) Lowercase(text);
  }

 private:
  bool clean_text_;
  bool handle_chinese_chars_;
  bool lowercase_;
  bool strip_accents_;
};

class LowercaseNormalizer final : public Normalizer {
 public:
  void Normalize(NormalizedString& text) const override { Lowercase(text); }
};

// Unlike BertNormalizer's accent stripping (nonspacing marks only), the StripAccents normalizer removes every
// combining mark, spacing (Mc) and enclosing (Me) ones included (measured: it turns "हिन्दी" into "हनद").
class StripAccentsNormalizer final : public Normalizer {
 public:
  void Normalize(NormalizedString& text) const override {
    text.Filter([](char32_t cp) { return !unicode::IsCombiningMark(cp); });
  }
};

class UnicodeNormalizer final : public Normalizer {
 public:
  explicit UnicodeNormalizer(NormalizationForm form) : form_(form) {}
  void Normalize(NormalizedString& text) const override { UnicodeNormalize(text, form_); }

 private:
  NormalizationForm form_;
};

// Removes leading and/or trailing whitespace (Rust's char::is_whitespace).
class StripNormalizer final : public Normalizer {
 public:
  explicit StripNormalizer(const JsonReader& config)
      : left_(config.Bool("strip_left", true)), right_(config.Bool("strip_right", true)) {}

  void Normalize(NormalizedString& text) const override {
    const auto& chars = text.chars();
    size_t begin = 0;
    size_t end = chars.size();
    if (left_) {
      while (begin < end && unicode::IsWhitespace(chars[begin])) ++begin;
    }
    if (right_) {
      while (end > begin && unicode::IsWhitespace(chars[end - 1])) --end;
    }
    if (begin == 0 && end == chars.size()) return;
    size_t index = 0;  // Filter visits code points in order; keeps where this string starts (unlike Slice)
    text.Filter([&](char32_t) {
      bool keep = index >= begin && index < end;
      ++index;
      return keep;
    });
  }

 private:
  bool left_;
  bool right_;
};

// Replaces every match of a literal string or an Oniguruma regex with `content`.
class ReplaceNormalizer final : public Normalizer {
 public:
  explicit ReplaceNormalizer(const JsonReader& config) {
    const Json& pattern = config.Required("pattern");
    JsonReader pattern_reader(pattern, config.where() + " pattern", ErrorCode::TokenizerInvalid);
    if (pattern.is_object() && pattern.contains("String")) {
      literal_ = unicode::DecodeUtf8(pattern_reader.String("String"));
    } else if (pattern.is_object() && pattern.contains("Regex")) {
      regex_ = std::make_unique<Regex>(pattern_reader.String("Regex"));
    } else {
      config.Fail("field \"pattern\" must be {\"String\": ...} or {\"Regex\": ...}");
    }
    content_ = unicode::DecodeUtf8(config.String("content"));
  }

  void Normalize(NormalizedString& text) const override {
    std::vector<std::pair<size_t, size_t>> matches;
    if (regex_) {
      matches = regex_->FindAll(text.chars());
    } else if (!literal_.empty()) {  // an empty literal matches nothing in the reference
      const auto& chars = text.chars();
      for (size_t at = chars.find(literal_); at != std::u32string::npos; at = chars.find(literal_, at + literal_.size())) {
        matches.emplace_back(at, at + literal_.size());
      }
    }
    text.ReplaceRanges(matches, content_);
  }

 private:
  std::u32string literal_;
  std::unique_ptr<Regex> regex_;
  std::u32string content_;
};

class PrependNormalizer final : public Normalizer {
 public:
  explicit PrependNormalizer(const JsonReader& config) : prefix_(unicode::DecodeUtf8(config.String("prepend"))) {}
  void Normalize(NormalizedString& text) const override { text.Prepend(prefix_); }

 private:
  std::u32string prefix_;
};

class SequenceNormalizer final : public Normalizer {
 public:
  explicit SequenceNormalizer(std::vector<std::unique_ptr<Normalizer>> steps) : steps_(std::move(steps)) {}
  void Normalize(NormalizedString& text) const override {
    for (const auto& step : steps_) step->Normalize(text);
  }

 private:
  std::vector<std::unique_ptr<Normalizer>> steps_;
};

}  // namespace

std::unique_ptr<Normalizer> MakeNormalizer(const Json& config) {
  if (config.is_null()) return nullptr;
  JsonReader reader(config, "tokenizer.json normalizer", ErrorCode::TokenizerInvalid);
  std::string type = reader.String("type");
  if (type == "BertNormalizer") return std::make_unique<BertNormalizer>(reader);
  if (type == "Lowercase") return std::make_unique<LowercaseNormalizer>();
  if (type == "StripAccents") return std::make_unique<StripAccentsNormalizer>();
  if (type == "NFD") return std::make_unique<UnicodeNormalizer>(NormalizationForm::Nfd);
  if (type == "NFKD") return std::make_unique<UnicodeNormalizer>(NormalizationForm::Nfkd);
  if (type == "NFC") return std::make_unique<UnicodeNormalizer>(NormalizationForm::Nfc);
  if (type == "NFKC") return std::make_unique<UnicodeNormalizer>(NormalizationForm::Nfkc);
  if (type == "Strip") return std::make_unique<StripNormalizer>(reader);
  if (type == "Replace") return std::make_unique<ReplaceNormalizer>(reader);
  if (type == "Prepend") return std::make_unique<PrependNormalizer>(reader);
  if (type == "Precompiled") return std::make_unique<PrecompiledNormalizer>(reader);
  if (type == "Sequence") {
    return std::make_unique<SequenceNormalizer>(BuildEach(reader, "normalizers", MakeNormalizer));
  }
  throw EngineError(ErrorCode::TokenizerUnsupported, "tokenizer.json uses the normalizer \"" + type +
                                                         "\", which this engine does not support yet");
}

}  // namespace engine
