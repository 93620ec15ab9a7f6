#include "tokenizer/post_processors.h"

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "tokenizer/unicode.h"

namespace engine {

namespace {

void SetTypeIds(Encoding& encoding, uint32_t type_id) {
  std::fill(encoding.type_ids.begin(), encoding.type_ids.end(), type_id);
}

// [CLS] A [SEP] (B [SEP]); type ids 0 for the first text, 1 for the second.
class BertProcessing final : public PostProcessor {
 public:
  explicit BertProcessing(const JsonReader& config) {
    sep_ = ReadToken(config, "sep");
    cls_ = ReadToken(config, "cls");
  }

  size_t AddedTokens(bool is_pair) const override { return is_pair ? 3 : 2; }

  void ProcessEncodings(std::vector<Encoding>& encodings, bool add_special_tokens) const override {
    if (encodings.empty()) return;
    Encoding& first = encodings[0];
    Encoding* second = encodings.size() > 1 ? &encodings[1] : nullptr;
    SetTypeIds(first, 0);
    if (second) SetTypeIds(*second, 1);
    if (!add_special_tokens) return;
    Encoding out;
    out.Reserve(first.size() + (second ? second->size() : 0) + AddedTokens(second != nullptr));
    out.Push(cls_, 0, Span{}, true);
    out.Append(first);
    out.Push(sep_, 0, Span{}, true);
    if (second) {
      out.Append(*second);
      out.Push(sep_, 1, Span{}, true);
    }
    encodings.assign(1, std::move(out));
  }

 private:
  static uint32_t ReadToken(const JsonReader& config, const char* key) {
    const Json& pair = config.Required(key);
    if (!pair.is_array() || pair.size() != 2 || !pair[0].is_string() || !pair[1].is_number_unsigned()) {
      config.Fail(std::string("field \"") + key + "\" must be [token, id]");
    }
    return pair[1].get<uint32_t>();
  }

  uint32_t sep_ = 0;
  uint32_t cls_ = 0;
};

// A template such as "[CLS] $A [SEP]" / "[CLS] $A [SEP] $B:1 [SEP]:1", with the ids of each special token.
class TemplateProcessing final : public PostProcessor {
 public:
  explicit TemplateProcessing(const JsonReader& config) {
    ReadSpecialTokens(config);
    single_ = ReadTemplate(config, "single");
    pair_ = ReadTemplate(config, "pair");
  }

  size_t AddedTokens(bool is_pair) const override {
    size_t count = 0;
    for (const auto& piece : is_pair ? pair_ : single_) {
      if (!piece.is_sequence) count += special_tokens_.at(piece.name).size();
    }
    return count;
  }

  void ProcessEncodings(std::vector<Encoding>& encodings, bool add_special_tokens) const override {
    if (encodings.empty()) return;
    Encoding& first = encodings[0];
    Encoding* second = encodings.size() > 1 ? &encodings[1] : nullptr;
    const auto& pieces = second ? pair_ : single_;
    Encoding out;
    out.Reserve(first.size() + (second ? second->size() : 0) + AddedTokens(second != nullptr));
    for (const auto& piece : pieces) {
      if (piece.is_sequence) {
        Encoding& source = (piece.name == "B" && second) ? *second : first;
        SetTypeIds(source, piece.type_id);
        out.Append(source);
      } else if (add_special_tokens) {
        for (uint32_t id : special_tokens_.at(piece.name)) out.Push(id, piece.type_id, Span{}, true);
      }
    }
    encodings.assign(1, std::move(out));
  }

 private:
  struct Piece {
    bool is_sequence = false;
    std::string name;  // "A"/"B" for sequences, the special token's key otherwise
    uint32_t type_id = 0;
  };

  void ReadSpecialTokens(const JsonReader& config) {
    if (!config.Has("special_tokens")) return;
    const Json& tokens = config.Required("special_tokens");
    if (!tokens.is_object()) config.Fail("field \"special_tokens\" must be an object");
    for (auto it = tokens.begin(); it != tokens.end(); ++it) {
      JsonReader token(it.value(), config.where() + " special token \"" + it.key() + "\"", ErrorCode::TokenizerInvalid);
      const Json& ids = token.Required("ids");
      if (!ids.is_array()) token.Fail("field \"ids\" must be an array");
      std::vector<uint32_t> values;
      for (const auto& id : ids) {
        if (!id.is_number_unsigned()) token.Fail("field \"ids\" must hold non-negative integers");
        values.push_back(id.get<uint32_t>());
      }
      special_tokens_[it.key()] = std::move(values);
    }
  }

  std::vector<Piece> ReadTemplate(const JsonReader& config, const char* key) const {
    const Json& list = config.Required(key);
    std::vector<Piece> pieces;
    if (list.is_string()) {  // the compact string form, e.g. "[CLS] $A [SEP]"
      std::string text = list.get<std::string>();
      size_t pos = 0;
      while (pos < text.size()) {
        size_t end = text.find(' ', pos);
        if (end == std::string::npos) end = text.size();
        if (end > pos) pieces.push_back(ParseCompactPiece(config, text.substr(pos, end - pos)));
        pos = end + 1;
      }
    } else if (list.is_array()) {
      for (const auto& item : list) pieces.push_back(ParsePiece(config, item));
    } else {
      config.Fail(std::string("field \"") + key + "\" must be a template");
    }
    return pieces;
  }

  Piece ParsePiece(const JsonReader& config, const Json& item) const {
    if (!item.is_object() || item.size() != 1) config.Fail("template pieces must be {\"Sequence\"|\"SpecialToken\": ...}");
    Piece piece;
    auto entry = item.begin();
    const std::string kind = entry.key();
    const Json& body = entry.value();
    JsonReader reader(body, config.where() + " template piece", ErrorCode::TokenizerInvalid);
    piece.name = reader.String("id");
    piece.type_id = static_cast<uint32_t>(reader.Int("type_id", 0));
    if (kind == "Sequence") {
      piece.is_sequence = true;
      if (piece.name != "A" && piece.name != "B") reader.Fail("sequence id must be A or B");
    } else if (kind == "SpecialToken") {
      if (!special_tokens_.count(piece.name)) reader.Fail("special token \"" + piece.name + "\" has no ids");
    } else {
      reader.Fail("unknown template piece \"" + kind + "\"");
    }
    return piece;
  }

  Piece ParseCompactPiece(const JsonReader& config, const std::string& text) const {
    Piece piece;
    std::string name = text;
    size_t colon = text.rfind(':');
    if (colon != std::string::npos && colon + 1 < text.size() &&
        text.find_first_not_of("0123456789", colon + 1) == std::string::npos) {
      name = text.substr(0, colon);
      piece.type_id = static_cast<uint32_t>(std::stoul(text.substr(colon + 1)));
    }
    if (name == "$A" || name == "$B" || name == "$") {
      piece.is_sequence = true;
      piece.name = name == "$B" ? "B" : "A";
    } else {
      piece.name = name;
      if (!special_tokens_.count(name)) config.Fail("special token \"" + name + "\" has no ids");
    }
    return piece;
  }

  std::map<std::string, std::vector<uint32_t>> special_tokens_;
  std::vector<Piece> single_;
  std::vector<Piece> pair_;
};

// How many characters at each end of a token are spaces: the byte-level space 'Ġ' or any whitespace (an added
// token such as " <mask>" that lstrip extended). Read once per vocabulary id at load time.
class SpaceCounts {
 public:
  explicit SpaceCounts(const TokenStrings& tokens) : tokens_(tokens) {
    leading_.resize(tokens.count);
    trailing_.resize(tokens.count);
    for (uint32_t id = 0; id < tokens.count; ++id) Count(tokens.of(id), leading_[id], trailing_[id]);
  }

  void Of(const Encoding& encoding, size_t index, uint32_t& leading, uint32_t& trailing) const {
    uint32_t id = encoding.ids[index];
    if (const std::string* text = encoding.TextOf(index)) {
      Count(*text, leading, trailing);
    } else if (id < leading_.size()) {
      leading = leading_[id];
      trailing = trailing_[id];
    } else {
      Count(tokens_.of(id), leading, trailing);
    }
  }

 private:
  static bool IsSpace(char32_t cp) { return cp == 0x120 || unicode::IsWhitespace(cp); }

  static void Count(const std::string& token, uint32_t& leading, uint32_t& trailing) {
    std::u32string chars = unicode::DecodeUtf8(token);
    leading = 0;
    trailing = 0;
    while (leading < chars.size() && IsSpace(chars[leading])) ++leading;
    while (trailing < chars.size() && IsSpace(chars[chars.size() - 1 - trailing])) ++trailing;
  }

  TokenStrings tokens_;
  std::vector<uint32_t> leading_;
  std::vector<uint32_t> trailing_;
};

// Removes the spaces a token carries from its offsets (" world" reports "world"), with the reference's rules:
// the start moves past the leading spaces, but not past the end; the end moves back before the trailing spaces,
// but not before the start. A single leading space on the first token is kept when add_prefix_space inserted it
// (it then stands for no character of the input). "First" is the first token, or any token starting at offset 0.
void TrimOffsets(Encoding& encoding, const SpaceCounts& spaces, bool add_prefix_space) {
  for (size_t i = 0; i < encoding.size(); ++i) {
    uint32_t leading = 0;
    uint32_t trailing = 0;
    spaces.Of(encoding, i, leading, trailing);
    Span& offset = encoding.offsets[i];
    if (leading > 0) {
      bool is_first = i == 0 || offset.begin == 0;
      if (!(is_first && add_prefix_space && leading == 1)) offset.begin = std::min(offset.begin + leading, offset.end);
    }
    if (trailing > 0 && offset.end >= trailing) offset.end = std::max(offset.end - trailing, offset.begin);
  }
}

// <s> A </s> (</s> B </s>), after trimming offsets like ByteLevel. Every type id is 0, with or without special
// tokens, whatever an earlier step of a Sequence set (RoBERTa has a single token type).
class RobertaProcessing final : public PostProcessor {
 public:
  RobertaProcessing(const JsonReader& config, const TokenStrings& tokens)
      : sep_(ReadTokenPair(config, "sep", "</s>", 2)),
        cls_(ReadTokenPair(config, "cls", "<s>", 0)),
        trim_offsets_(config.Bool("trim_offsets", true)),
        add_prefix_space_(config.Bool("add_prefix_space", true)) {
    if (trim_offsets_) spaces_.emplace(tokens);
    // The reference reports the special tokens with the strings the config names, even where the vocabulary
    // has another string for that id.
    for (auto* token : {&sep_, &cls_}) {
      if (tokens.of(token->id) == token->text) token->text.clear();
    }
  }

  size_t AddedTokens(bool is_pair) const override { return is_pair ? 4 : 2; }

  void ProcessEncodings(std::vector<Encoding>& encodings, bool add_special_tokens) const override {
    if (spaces_) {
      for (auto& encoding : encodings) TrimOffsets(encoding, *spaces_, add_prefix_space_);
    }
    for (auto& encoding : encodings) SetTypeIds(encoding, 0);
    if (!add_special_tokens || encodings.empty()) return;
    Encoding out;
    for (size_t i = 0; i < encodings.size(); ++i) {
      Push(out, i == 0 ? cls_ : sep_);
      out.Append(encodings[i]);
      Push(out, sep_);
    }
    encodings.assign(1, std::move(out));
  }

 private:
  struct SpecialToken {
    std::string text;  // "" when the vocabulary has the same string for the id
    uint32_t id;
  };

  static void Push(Encoding& out, const SpecialToken& token) {
    out.Push(token.id, 0, Span{}, true);
    if (!token.text.empty()) out.SetText(out.size() - 1, token.text);
  }

  // The reference's defaults are ("</s>", 2) and ("<s>", 0).
  static SpecialToken ReadTokenPair(const JsonReader& config, const char* key, const char* text, uint32_t id) {
    if (!config.Has(key)) return SpecialToken{text, id};
    const Json& pair = config.Required(key);
    if (!pair.is_array() || pair.size() != 2 || !pair[0].is_string() || !pair[1].is_number_unsigned()) {
      config.Fail(std::string("field \"") + key + "\" must be [token, id]");
    }
    return SpecialToken{pair[0].get<std::string>(), pair[1].get<uint32_t>()};
  }

  SpecialToken sep_;
  SpecialToken cls_;
  bool trim_offsets_;
  bool add_prefix_space_;
  std::optional<SpaceCounts> spaces_;
};

// ByteLevel as a post-processor: trims offsets (trim_offsets) and numbers the sequences' type ids 0, 1, ...
class ByteLevelProcessing final : public PostProcessor {
 public:
  ByteLevelProcessing(const JsonReader& config, const TokenStrings& tokens)
      : trim_offsets_(config.Bool("trim_offsets", true)), add_prefix_space_(config.Bool("add_prefix_space", true)) {
    config.Bool("use_regex", true);  // a pre-tokenizer option; validated only
    if (trim_offsets_) spaces_.emplace(tokens);
  }

  size_t AddedTokens(bool) const override { return 0; }

  void ProcessEncodings(std::vector<Encoding>& encodings, bool) const override {
    for (size_t i = 0; i < encodings.size(); ++i) {
      if (spaces_) TrimOffsets(encodings[i], *spaces_, add_prefix_space_);
      SetTypeIds(encodings[i], static_cast<uint32_t>(i));
    }
  }

 private:
  bool trim_offsets_;
  bool add_prefix_space_;
  std::optional<SpaceCounts> spaces_;
};

// Each step in turn on the same list of encodings.
class SequenceProcessing final : public PostProcessor {
 public:
  explicit SequenceProcessing(std::vector<std::unique_ptr<PostProcessor>> steps) : steps_(std::move(steps)) {}

  size_t AddedTokens(bool is_pair) const override {
    size_t count = 0;
    for (const auto& step : steps_) count += step->AddedTokens(is_pair);
    return count;
  }

  void ProcessEncodings(std::vector<Encoding>& encodings, bool add_special_tokens) const override {
    for (const auto& step : steps_) step->ProcessEncodings(encodings, add_special_tokens);
  }

 private:
  std::vector<std::unique_ptr<PostProcessor>> steps_;
};

}  // namespace

Encoding PostProcessor::Process(Encoding first, std::optional<Encoding> second, bool add_special_tokens) const {
  std::vector<Encoding> encodings;
  encodings.reserve(2);
  encodings.push_back(std::move(first));
  if (second) encodings.push_back(std::move(*second));
  ProcessEncodings(encodings, add_special_tokens);
  if (encodings.empty()) return Encoding{};
  Encoding merged = std::move(encodings[0]);
  for (size_t i = 1; i < encodings.size(); ++i) merged.Append(encodings[i]);
  return merged;
}

Encoding DefaultPostProcess(Encoding first, std::optional<Encoding> second) {
  SetTypeIds(first, 0);
  if (second) {
    SetTypeIds(*second, 1);
    first.Append(*second);
  }
  return first;
}

std::unique_ptr<PostProcessor> MakePostProcessor(const Json& config, const TokenStrings& tokens) {
  if (config.is_null()) return nullptr;
  JsonReader reader(config, "tokenizer.json post_processor", ErrorCode::TokenizerInvalid);
  std::string type = reader.String("type");
  if (type == "BertProcessing") return std::make_unique<BertProcessing>(reader);
  if (type == "TemplateProcessing") return std::make_unique<TemplateProcessing>(reader);
  if (type == "RobertaProcessing") return std::make_unique<RobertaProcessing>(reader, tokens);
  if (type == "ByteLevel") return std::make_unique<ByteLevelProcessing>(reader, tokens);
  if (type == "Sequence") {
    return std::make_unique<SequenceProcessing>(
        BuildEach(reader, "processors", [&](const Json& step) { return MakePostProcessor(step, tokens); }));
  }
  throw EngineError(ErrorCode::TokenizerUnsupported, "tokenizer.json uses the post-processor \"" + type +
                                                         "\", which this engine does not support yet");
}

}  // namespace engine
