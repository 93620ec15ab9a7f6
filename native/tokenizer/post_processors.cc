#include "tokenizer/post_processors.h"

#include <map>
#include <string>
#include <vector>

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

  Encoding Process(Encoding first, std::optional<Encoding> second, bool add_special_tokens) const override {
    SetTypeIds(first, 0);
    if (second) SetTypeIds(*second, 1);
    if (!add_special_tokens) return DefaultPostProcess(std::move(first), std::move(second));
    Encoding out;
    out.Reserve(first.size() + (second ? second->size() : 0) + AddedTokens(second.has_value()));
    out.Push(cls_, 0, Span{}, true);
    out.Append(first);
    out.Push(sep_, 0, Span{}, true);
    if (second) {
      out.Append(*second);
      out.Push(sep_, 1, Span{}, true);
    }
    return out;
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

  Encoding Process(Encoding first, std::optional<Encoding> second, bool add_special_tokens) const override {
    const auto& pieces = second ? pair_ : single_;
    Encoding out;
    out.Reserve(first.size() + (second ? second->size() : 0) + AddedTokens(second.has_value()));
    for (const auto& piece : pieces) {
      if (piece.is_sequence) {
        Encoding& source = (piece.name == "B" && second) ? *second : first;
        SetTypeIds(source, piece.type_id);
        out.Append(source);
      } else if (add_special_tokens) {
        for (uint32_t id : special_tokens_.at(piece.name)) out.Push(id, piece.type_id, Span{}, true);
      }
    }
    return out;
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

}  // namespace

Encoding DefaultPostProcess(Encoding first, std::optional<Encoding> second) {
  SetTypeIds(first, 0);
  if (second) {
    SetTypeIds(*second, 1);
    first.Append(*second);
  }
  return first;
}

std::unique_ptr<PostProcessor> MakePostProcessor(const Json& config) {
  if (config.is_null()) return nullptr;
  JsonReader reader(config, "tokenizer.json post_processor", ErrorCode::TokenizerInvalid);
  std::string type = reader.String("type");
  if (type == "BertProcessing") return std::make_unique<BertProcessing>(reader);
  if (type == "TemplateProcessing") return std::make_unique<TemplateProcessing>(reader);
  throw EngineError(ErrorCode::TokenizerUnsupported, "tokenizer.json uses the post-processor \"" + type +
                                                         "\", which this engine does not support yet");
}

}  // namespace engine
