#include "tokenizer/normalizers.h"

#include <vector>

#include "tokenizer/unicode.h"

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

class StripAccentsNormalizer final : public Normalizer {
 public:
  void Normalize(NormalizedString& text) const override { StripAccents(text); }
};

class NfdNormalizer final : public Normalizer {
 public:
  void Normalize(NormalizedString& text) const override { text.Nfd(); }
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
  if (type == "NFD") return std::make_unique<NfdNormalizer>();
  if (type == "Sequence") {
    const Json& list = reader.Required("normalizers");
    if (!list.is_array()) reader.Fail("field \"normalizers\" must be an array");
    std::vector<std::unique_ptr<Normalizer>> steps;
    for (const auto& step : list) {
      if (auto normalizer = MakeNormalizer(step)) steps.push_back(std::move(normalizer));
    }
    return std::make_unique<SequenceNormalizer>(std::move(steps));
  }
  throw EngineError(ErrorCode::TokenizerUnsupported, "tokenizer.json uses the normalizer \"" + type +
                                                         "\", which this engine does not support yet");
}

}  // namespace engine
