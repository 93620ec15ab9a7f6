#include "tokenizer/decoders.h"

#include <cctype>
#include <optional>

#include "tokenizer/byte_level.h"
#include "tokenizer/regex.h"
#include "tokenizer/unicode.h"

namespace engine {

namespace {

void ReplaceAll(std::string& text, std::string_view from, std::string_view to) {
  if (from.empty()) return;
  std::string out;
  size_t start = 0;
  for (size_t found; (found = text.find(from, start)) != std::string::npos; start = found + from.size()) {
    out.append(text, start, found - start);
    out.append(to);
  }
  if (start == 0) return;
  out.append(text, start, std::string::npos);
  text = std::move(out);
}

// Hugging Face's `cleanup` of WordPiece output (spaces before punctuation and English contractions), in its order.
void CleanUp(std::string& text) {
  static const std::pair<const char*, const char*> kRules[] = {
      {" .", "."},   {" ?", "?"},   {" !", "!"},   {" ,", ","},   {" ' ", "'"},           {" n't", "n't"},
      {" 'm", "'m"}, {" do not", " don't"},         {" 's", "'s"}, {" 've", "'ve"}, {" 're", "'re"},
  };
  for (const auto& [from, to] : kRules) ReplaceAll(text, from, to);
}

// Exactly one code point in a UTF-8 string, or TOKENIZER_INVALID naming the field.
char32_t ReadChar(const JsonReader& reader, const char* key) {
  std::u32string chars = unicode::DecodeUtf8(reader.String(key));
  if (chars.size() != 1) reader.Fail(std::string("field \"") + key + "\" must be exactly one character");
  return chars[0];
}

size_t ReadCount(const JsonReader& reader, const char* key) {
  int64_t value = reader.Int(key);
  if (value < 0) reader.Fail(std::string("field \"") + key + "\" must not be negative");
  return static_cast<size_t>(value);
}

// Rust's `String::from_utf8_lossy`: each maximal ill-formed subsequence becomes one U+FFFD.
std::string Utf8Lossy(const std::string& bytes) {
  std::string out;
  out.reserve(bytes.size());
  size_t i = 0;
  const size_t n = bytes.size();
  auto byte = [&](size_t k) { return static_cast<uint8_t>(bytes[k]); };
  while (i < n) {
    uint8_t b = byte(i);
    if (b < 0x80) {
      out.push_back(static_cast<char>(b));
      ++i;
      continue;
    }
    size_t need = 0;
    uint8_t lo = 0x80, hi = 0xBF;  // valid range of the second byte (Unicode Table 3-7)
    if (b >= 0xC2 && b <= 0xDF) need = 1;
    else if (b == 0xE0) need = 2, lo = 0xA0;
    else if (b >= 0xE1 && b <= 0xEC) need = 2;
    else if (b == 0xED) need = 2, hi = 0x9F;
    else if (b >= 0xEE && b <= 0xEF) need = 2;
    else if (b == 0xF0) need = 3, lo = 0x90;
    else if (b >= 0xF1 && b <= 0xF3) need = 3;
    else if (b == 0xF4) need = 3, hi = 0x8F;
    size_t good = 1;  // bytes of a valid prefix consumed so far
    bool complete = need > 0;
    for (size_t k = 1; k <= need; ++k) {
      uint8_t lower = k == 1 ? lo : 0x80, upper = k == 1 ? hi : 0xBF;
      if (i + k >= n || byte(i + k) < lower || byte(i + k) > upper) {
        complete = false;
        break;
      }
      ++good;
    }
    if (complete) {
      out.append(bytes, i, need + 1);
      i += need + 1;
    } else {
      out.append("\xEF\xBF\xBD");
      i += good;
    }
  }
  return out;
}

class WordPieceDecoder final : public Decoder {
 public:
  explicit WordPieceDecoder(const JsonReader& config)
      : prefix_(config.String("prefix", "##")), cleanup_(config.Bool("cleanup", true)) {}
  void DecodeChain(std::vector<std::string>& tokens) const override {
    for (size_t i = 0; i < tokens.size(); ++i) {
      std::string& token = tokens[i];
      // The first token keeps its prefix (the reference only joins continuations to a previous token).
      if (i != 0) {
        if (token.compare(0, prefix_.size(), prefix_) == 0) token.erase(0, prefix_.size());
        else token.insert(0, 1, ' ');
      }
      if (cleanup_) CleanUp(token);
    }
  }

 private:
  std::string prefix_;
  bool cleanup_;
};

class ByteLevelDecoder final : public Decoder {
 public:
  void DecodeChain(std::vector<std::string>& tokens) const override {
    std::string bytes;
    for (const std::string& token : tokens) {
      std::string mapped;
      bool all_mapped = true;
      for (char32_t cp : unicode::DecodeUtf8(token)) {
        std::optional<uint8_t> b = byte_level::CharToByte(cp);
        if (!b) {
          all_mapped = false;
          break;
        }
        mapped.push_back(static_cast<char>(*b));
      }
      // A token with a character outside the byte alphabet (an added token, say) is kept as its own UTF-8.
      bytes += all_mapped ? mapped : token;
    }
    tokens.assign(1, Utf8Lossy(bytes));
  }
};

class MetaspaceDecoder final : public Decoder {
 public:
  explicit MetaspaceDecoder(const JsonReader& config) : replacement_(ReadChar(config, "replacement")) {
    if (config.Has("prepend_scheme")) {
      std::string scheme = config.String("prepend_scheme");
      if (scheme != "always" && scheme != "never" && scheme != "first") {
        config.Fail("unknown prepend_scheme \"" + scheme + "\"");
      }
      prepend_ = scheme != "never";
    } else {
      prepend_ = config.Bool("add_prefix_space", true);  // the older form of the same setting
    }
  }
  void DecodeChain(std::vector<std::string>& tokens) const override {
    for (size_t i = 0; i < tokens.size(); ++i) {
      std::string out;
      for (char32_t cp : unicode::DecodeUtf8(tokens[i])) {
        if (cp != replacement_) unicode::AppendUtf8(out, cp);
        // In the first token every replacement character is dropped, not only a leading one (as the reference).
        else if (!(i == 0 && prepend_)) out.push_back(' ');
      }
      tokens[i] = std::move(out);
    }
  }

 private:
  char32_t replacement_;
  bool prepend_;
};

class BpeDecoder final : public Decoder {
 public:
  explicit BpeDecoder(const JsonReader& config) : suffix_(config.String("suffix", "</w>")) {}
  void DecodeChain(std::vector<std::string>& tokens) const override {
    for (size_t i = 0; i < tokens.size(); ++i) ReplaceAll(tokens[i], suffix_, i + 1 == tokens.size() ? "" : " ");
  }

 private:
  std::string suffix_;
};

// Oniguruma syntax for a literal string: ASCII punctuation, symbols and space escaped.
std::string EscapeRegex(const std::string& literal) {
  std::string out;
  for (char c : literal) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x80 && !std::isalnum(u) && u != '_' && u >= 0x20) out.push_back('\\');
    out.push_back(c);
  }
  return out;
}

class ReplaceDecoder final : public Decoder {
 public:
  explicit ReplaceDecoder(const JsonReader& config) : regex_(ReadPattern(config)), content_(config.String("content")) {}
  void DecodeChain(std::vector<std::string>& tokens) const override {
    for (std::string& token : tokens) {
      std::u32string chars = unicode::DecodeUtf8(token);
      std::string out;
      size_t last = 0;
      for (auto [begin, end] : regex_.FindAll(chars)) {
        out += unicode::EncodeUtf8(std::u32string_view(chars).substr(last, begin - last));
        out += content_;
        last = end;
      }
      out += unicode::EncodeUtf8(std::u32string_view(chars).substr(last));
      token = std::move(out);
    }
  }

 private:
  static std::string ReadPattern(const JsonReader& config) {
    const Json& pattern = config.Required("pattern");
    if (pattern.is_object() && pattern.size() == 1) {
      if (pattern.contains("String") && pattern["String"].is_string()) {
        return EscapeRegex(pattern["String"].get<std::string>());
      }
      if (pattern.contains("Regex") && pattern["Regex"].is_string()) return pattern["Regex"].get<std::string>();
    }
    config.Fail("field \"pattern\" must be {\"String\": s} or {\"Regex\": r}");
  }
  Regex regex_;
  std::string content_;
};

// "<0xHH>" → byte HH, as Rust's u8::from_str_radix(HH, 16) reads it (which accepts a leading '+').
std::optional<uint8_t> ByteToken(const std::string& token) {
  if (token.size() != 6 || token.compare(0, 3, "<0x") != 0 || token[5] != '>') return std::nullopt;
  auto digit = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  if (token[3] == '+') {
    int d = digit(token[4]);
    return d < 0 ? std::nullopt : std::optional<uint8_t>(static_cast<uint8_t>(d));
  }
  int hi = digit(token[3]), lo = digit(token[4]);
  if (hi < 0 || lo < 0) return std::nullopt;
  return static_cast<uint8_t>(hi * 16 + lo);
}

bool IsValidUtf8(const std::string& bytes) { return Utf8Lossy(bytes) == bytes; }

class ByteFallbackDecoder final : public Decoder {
 public:
  void DecodeChain(std::vector<std::string>& tokens) const override {
    std::vector<std::string> out;
    out.reserve(tokens.size());
    std::string pending;
    auto flush = [&]() {
      if (pending.empty()) return;
      // Valid UTF-8 becomes its text; otherwise one U+FFFD per byte token (not per ill-formed sequence).
      if (IsValidUtf8(pending)) out.push_back(pending);
      else out.insert(out.end(), pending.size(), "\xEF\xBF\xBD");
      pending.clear();
    };
    for (std::string& token : tokens) {
      if (std::optional<uint8_t> b = ByteToken(token)) {
        pending.push_back(static_cast<char>(*b));
        continue;
      }
      flush();
      out.push_back(std::move(token));
    }
    flush();
    tokens = std::move(out);
  }
};

class FuseDecoder final : public Decoder {
 public:
  void DecodeChain(std::vector<std::string>& tokens) const override {
    std::string joined;
    for (const std::string& token : tokens) joined += token;
    tokens.assign(1, std::move(joined));
  }
};

class StripDecoder final : public Decoder {
 public:
  explicit StripDecoder(const JsonReader& config)
      : content_(ReadChar(config, "content")), start_(ReadCount(config, "start")), stop_(ReadCount(config, "stop")) {}
  void DecodeChain(std::vector<std::string>& tokens) const override {
    for (std::string& token : tokens) {
      std::u32string chars = unicode::DecodeUtf8(token);
      size_t begin = 0;
      while (begin < start_ && begin < chars.size() && chars[begin] == content_) ++begin;
      size_t end = chars.size();
      while (chars.size() - end < stop_ && end > 0 && chars[end - 1] == content_) --end;
      // When the two cuts cross (a token made only of `content`, shorter than start + stop) the reference
      // panics; an empty token is the sensible answer.
      token = end > begin ? unicode::EncodeUtf8(std::u32string_view(chars).substr(begin, end - begin)) : "";
    }
  }

 private:
  char32_t content_;
  size_t start_;
  size_t stop_;
};

class CtcDecoder final : public Decoder {
 public:
  explicit CtcDecoder(const JsonReader& config)
      : pad_token_(config.String("pad_token", "<pad>")),
        word_delimiter_(config.String("word_delimiter_token", "|")),
        cleanup_(config.Bool("cleanup", true)) {}
  void DecodeChain(std::vector<std::string>& tokens) const override {
    std::vector<std::string> out;
    for (size_t i = 0; i < tokens.size(); ++i) {
      if (i > 0 && tokens[i] == tokens[i - 1]) continue;  // CTC collapses repeats
      std::string token = tokens[i];
      ReplaceAll(token, pad_token_, "");
      if (cleanup_) {
        CleanUp(token);
        ReplaceAll(token, word_delimiter_, " ");
      }
      if (!token.empty()) out.push_back(std::move(token));
    }
    tokens = std::move(out);
  }

 private:
  std::string pad_token_;
  std::string word_delimiter_;
  bool cleanup_;
};

class SequenceDecoder final : public Decoder {
 public:
  explicit SequenceDecoder(std::vector<std::unique_ptr<Decoder>> steps) : steps_(std::move(steps)) {}
  void DecodeChain(std::vector<std::string>& tokens) const override {
    for (const auto& step : steps_) step->DecodeChain(tokens);
  }

 private:
  std::vector<std::unique_ptr<Decoder>> steps_;
};

}  // namespace

std::unique_ptr<Decoder> MakeDecoder(const Json& config) {
  if (config.is_null()) return nullptr;
  JsonReader reader(config, "tokenizer.json decoder", ErrorCode::TokenizerInvalid);
  std::string type = reader.String("type");
  if (type == "WordPiece") return std::make_unique<WordPieceDecoder>(reader);
  if (type == "ByteLevel") return std::make_unique<ByteLevelDecoder>();
  if (type == "Metaspace") return std::make_unique<MetaspaceDecoder>(reader);
  if (type == "BPEDecoder") return std::make_unique<BpeDecoder>(reader);
  if (type == "Replace") return std::make_unique<ReplaceDecoder>(reader);
  if (type == "ByteFallback") return std::make_unique<ByteFallbackDecoder>();
  if (type == "Fuse") return std::make_unique<FuseDecoder>();
  if (type == "Strip") return std::make_unique<StripDecoder>(reader);
  if (type == "CTC") return std::make_unique<CtcDecoder>(reader);
  if (type == "Sequence") {
    return std::make_unique<SequenceDecoder>(BuildEach(reader, "decoders", [&](const Json& step) {
      if (!step.is_object()) reader.Fail("every entry of field \"decoders\" must be an object");
      return MakeDecoder(step);
    }));
  }
  throw EngineError(ErrorCode::TokenizerUnsupported,
                    "tokenizer.json uses the decoder \"" + type + "\", which this engine does not support yet");
}

std::string DecodeTokens(const Decoder* decoder, std::vector<std::string> tokens) {
  std::string text;
  if (!decoder) {
    for (size_t i = 0; i < tokens.size(); ++i) {
      if (i > 0) text.push_back(' ');
      text += tokens[i];
    }
    return text;
  }
  decoder->DecodeChain(tokens);
  for (const std::string& token : tokens) text += token;
  return text;
}

}  // namespace engine
