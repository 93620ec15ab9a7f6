// libFuzzer target: encoding arbitrary bytes (mostly UTF-8, invalid sequences included) with the real tokenizer
// files of ../shared/realdata/tokenizers (or the directories listed in $FUZZ_TOKENIZERS, colon-separated).
//
// Input layout: byte 0 picks the tokenizer, byte 1 picks options (bit 0: add special tokens; bit 1: encode a
// pair, the rest of the input split at its middle), the rest is the text. Checked on every encoding: all
// per-token arrays have the same length, every offset is a span of the input (begin <= end <= its length in
// code points), and only EngineError may be thrown. Tokenizer files this build cannot load (models still to
// come) are skipped with a note.
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "core/error.h"
#include "tokenizer/tokenizer.h"
#include "tokenizer/unicode.h"

namespace {

std::vector<std::shared_ptr<const engine::Tokenizer>>& Tokenizers() {
  static std::vector<std::shared_ptr<const engine::Tokenizer>> tokenizers;
  return tokenizers;
}

void LoadAll() {
  std::string list;
  if (const char* env = std::getenv("FUZZ_TOKENIZERS")) {
    list = env;
  } else {
    const char* root = std::getenv("FUZZ_REALDATA");
    std::string base = root ? root : "../shared/realdata";
    for (const char* name : {"bert-base-uncased", "bert-base-cased", "all-MiniLM-L6-v2", "bge-small-en",
                             "roberta-base", "t5-small"}) {
      list += base + "/tokenizers/" + name + "/tokenizer.json:";
    }
  }
  size_t start = 0;
  while (start < list.size()) {
    size_t end = list.find(':', start);
    if (end == std::string::npos) end = list.size();
    std::string path = list.substr(start, end - start);
    start = end + 1;
    if (path.empty()) continue;
    try {
      Tokenizers().push_back(engine::Tokenizer::FromFile(path));
      std::fprintf(stderr, "fuzz_tokenizer_encode: loaded %s\n", path.c_str());
    } catch (const engine::EngineError& error) {
      std::fprintf(stderr, "fuzz_tokenizer_encode: skipping %s (%s: %s)\n", path.c_str(),
                   engine::ErrorCodeName(error.code()), error.what());
    }
  }
  if (Tokenizers().empty()) {
    std::fprintf(stderr, "fuzz_tokenizer_encode: no tokenizer loaded; run from the project root or set FUZZ_REALDATA\n");
    std::exit(1);
  }
}

void Check(const engine::Encoding& encoding, size_t text_chars) {
  const size_t n = encoding.ids.size();
  if (encoding.type_ids.size() != n || encoding.attention_mask.size() != n ||
      encoding.special_tokens_mask.size() != n || encoding.offsets.size() != n) {
    std::fprintf(stderr, "encoding arrays have different lengths\n");
    std::abort();
  }
  for (const engine::Span& span : encoding.offsets) {
    if (span.begin > span.end || span.end > text_chars) {
      std::fprintf(stderr, "offset (%u, %u) outside a text of %zu code points\n", span.begin, span.end, text_chars);
      std::abort();
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  LoadAll();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const auto& tokenizer = Tokenizers()[data[0] % Tokenizers().size()];
  const uint8_t options = data[1];
  std::string_view rest(reinterpret_cast<const char*>(data + 2), size - 2);
  engine::EncodeSettings settings = tokenizer->DefaultSettings();
  settings.add_special_tokens = (options & 1) != 0;
  try {
    if (options & 2) {
      std::string_view first = rest.substr(0, rest.size() / 2);
      std::string_view second = rest.substr(rest.size() / 2);
      engine::Encoding encoding = tokenizer->Encode(first, &second, settings);
      // Offsets of a pair are spans of their own text; both are within the longer one.
      Check(encoding, std::max(engine::unicode::DecodeUtf8(first).size(), engine::unicode::DecodeUtf8(second).size()));
    } else {
      engine::Encoding encoding = tokenizer->Encode(rest, nullptr, settings);
      Check(encoding, engine::unicode::DecodeUtf8(rest).size());
    }
  } catch (const engine::EngineError&) {
    // A refusal with a code (e.g. truncation that cannot be honoured) is an answer, not a crash.
  } catch (const std::exception& error) {
    std::fprintf(stderr, "encode threw a non-EngineError exception: %s\n", error.what());
    std::abort();
  }
  return 0;
}
