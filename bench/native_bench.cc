// Native-only tokenizer benchmark: the same engine::Tokenizer the addon runs, without N-API, so the benchmark can
// separate tokenization time from the cost of handing results to JS, and callgrind can count instructions of the
// tokenizer alone.
//
//   tokenizer_bench <tokenizer.json> <corpus.json> [iterations] [batch] [--tokens]
//
// corpus.json is a JSON array of strings (bench/tokenizer.js --write-corpus writes one). Each iteration encodes the
// whole corpus in batches of `batch` texts with the file's default settings, single-threaded. --tokens also builds
// every token string, as the addon's EncodeJob does. Prints one JSON line with the timings.
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/files.h"
#include "core/json.h"
#include "tokenizer/tokenizer.h"

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s <tokenizer.json> <corpus.json> [iterations] [batch] [--tokens]\n", argv[0]);
    return 2;
  }
  try {
    auto tokenizer = engine::Tokenizer::FromFile(argv[1]);
    engine::Json corpus = engine::ParseJson(engine::ReadFile(argv[2], engine::ErrorCode::FileMissing), argv[2],
                                            engine::ErrorCode::InvalidArgument);
    int iterations = argc > 3 ? std::atoi(argv[3]) : 1;
    size_t batch = argc > 4 ? static_cast<size_t>(std::atoi(argv[4])) : 256;
    bool tokens = argc > 5 && std::strcmp(argv[5], "--tokens") == 0;
    if (batch == 0) batch = 1;

    std::vector<std::vector<std::pair<std::string, std::optional<std::string>>>> batches;
    size_t texts = 0;
    for (size_t i = 0; i < corpus.size(); i += batch) {
      auto& current = batches.emplace_back();
      for (size_t j = i; j < std::min(corpus.size(), i + batch); ++j) {
        current.emplace_back(corpus[j].get<std::string>(), std::nullopt);
        ++texts;
      }
    }
    engine::EncodeSettings settings = tokenizer->DefaultSettings();
    size_t token_count = 0;
    size_t token_bytes = 0;
    auto start = std::chrono::steady_clock::now();
    for (int it = 0; it < iterations; ++it) {
      for (const auto& inputs : batches) {
        auto encodings = tokenizer->EncodeBatch(inputs, settings);
        for (const auto& encoding : encodings) {
          token_count += encoding.size();
          if (tokens) {
            for (uint32_t id : encoding.ids) token_bytes += tokenizer->IdToToken(id).size();
          }
        }
      }
    }
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("{\"texts\":%zu,\"tokens\":%zu,\"seconds\":%.6f,\"textsPerSecond\":%.1f,\"tokensPerSecond\":%.1f,"
                "\"withTokenStrings\":%s,\"tokenBytes\":%zu}\n",
                texts * iterations, token_count, seconds, texts * iterations / seconds, token_count / seconds,
                tokens ? "true" : "false", token_bytes);
  } catch (const engine::EngineError& error) {
    std::fprintf(stderr, "%s: %s\n", engine::ErrorCodeName(error.code()), error.what());
    return 1;
  }
  return 0;
}
