// A Hugging Face fast tokenizer loaded from tokenizer.json: added tokens → normalizer → pre-tokenizer →
// model → truncation → post-processor → padding, with output identical to the `tokenizers` library.
// Immutable once loaded, so one instance serves any number of threads.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tokenizer/added_vocabulary.h"
#include "tokenizer/decoders.h"
#include "tokenizer/encoding.h"
#include "tokenizer/model.h"
#include "tokenizer/normalizers.h"
#include "tokenizer/post_processors.h"
#include "tokenizer/pre_tokenizers.h"

namespace engine {

struct TruncationParams {
  enum class Strategy { LongestFirst, OnlyFirst, OnlySecond };
  size_t max_length = 512;
  Strategy strategy = Strategy::LongestFirst;
  bool from_left = false;  // "direction": "Left" drops tokens from the start
  size_t stride = 0;
};

struct PaddingParams {
  std::optional<size_t> fixed_length;  // nullopt: pad to the longest in the batch
  bool left = false;
  size_t multiple_of = 0;
  uint32_t pad_id = 0;
  uint32_t pad_type_id = 0;
  std::string pad_token = "[PAD]";
};

// What one encode call does; defaults come from tokenizer.json and may be overridden per call.
struct EncodeSettings {
  bool add_special_tokens = true;
  std::optional<TruncationParams> truncation;
  std::optional<PaddingParams> padding;
};

class Tokenizer {
 public:
  // Loads tokenizer.json. Throws EngineError (FILE_MISSING, TOKENIZER_INVALID, TOKENIZER_UNSUPPORTED).
  static std::shared_ptr<const Tokenizer> FromFile(const std::string& path);
  static std::shared_ptr<const Tokenizer> FromJson(const std::string& text, const std::string& label);

  // The settings tokenizer.json asks for (its "truncation" and "padding").
  EncodeSettings DefaultSettings() const;

  Encoding Encode(std::string_view text, const std::string_view* pair, const EncodeSettings& settings) const;
  // Encodes each input, then pads the batch together (longest member, or fixed length).
  std::vector<Encoding> EncodeBatch(const std::vector<std::pair<std::string, std::optional<std::string>>>& inputs,
                                    const EncodeSettings& settings) const;

  // The text of `ids` through tokenizer.json's decoder. Ids neither in the vocabulary nor added are skipped, and
  // so are special tokens when `skip_special_tokens` (as Hugging Face's decode does).
  std::string Decode(const std::vector<uint32_t>& ids, bool skip_special_tokens) const;

  // The token string of an id (added tokens first, then the model's vocabulary); "" when unknown.
  std::string IdToToken(uint32_t id) const;
  std::optional<uint32_t> TokenToId(const std::string& token) const;
  size_t VocabSize() const;
  // The model's unknown-token id, when it has one.
  std::optional<uint32_t> UnknownId() const { return model_->UnknownTokenId(); }
  // How many special tokens the post-processor adds.
  size_t SpecialTokenCount(bool is_pair) const;

 private:
  Tokenizer() = default;
  // Tokenizes one text; with `word_limit`, only the words holding its first (from_left: last) word_limit tokens.
  Encoding EncodeSequence(std::string_view text, std::optional<size_t> word_limit, bool from_left) const;
  void Truncate(Encoding& first, std::optional<Encoding>& second, const TruncationParams& params,
                bool add_special_tokens) const;
  Encoding PostProcess(Encoding first, std::optional<Encoding> second, bool add_special_tokens) const;
  Encoding PostProcessWithOverflow(Encoding first, std::optional<Encoding> second, bool add_special_tokens) const;
  static void Pad(Encoding& encoding, size_t length, const PaddingParams& params);
  static size_t PaddedLength(size_t longest, const PaddingParams& params);

  std::unique_ptr<Normalizer> normalizer_;
  std::unique_ptr<PreTokenizer> pre_tokenizer_;
  std::unique_ptr<Model> model_;
  std::unique_ptr<PostProcessor> post_processor_;
  std::unique_ptr<Decoder> decoder_;
  AddedVocabulary added_;
  std::optional<TruncationParams> truncation_;
  std::optional<PaddingParams> padding_;
};

}  // namespace engine
