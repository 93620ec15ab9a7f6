#include "tokenizer/pre_tokenizers.h"

#include "tokenizer/metaspace.h"
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
  if (type == "Sequence") {
    const Json& list = reader.Required("pretokenizers");
    if (!list.is_array()) reader.Fail("field \"pretokenizers\" must be an array");
    std::vector<std::unique_ptr<PreTokenizer>> steps;
    for (const auto& step : list) {
      if (auto pre_tokenizer = MakePreTokenizer(step)) steps.push_back(std::move(pre_tokenizer));
    }
    return std::make_unique<SequencePreTokenizer>(std::move(steps));
  }
  throw EngineError(ErrorCode::TokenizerUnsupported, "tokenizer.json uses the pre-tokenizer \"" + type +
                                                         "\", which this engine does not support yet");
}

}  // namespace engine
