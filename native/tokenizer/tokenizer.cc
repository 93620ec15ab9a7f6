#include "tokenizer/tokenizer.h"

#include <algorithm>
#include <functional>

#include "core/files.h"
#include "tokenizer/unicode.h"

namespace engine {

namespace {

std::optional<TruncationParams> ReadTruncation(const Json& config) {
  if (config.is_null()) return std::nullopt;
  JsonReader reader(config, "tokenizer.json truncation", ErrorCode::TokenizerInvalid);
  TruncationParams params;
  int64_t max_length = reader.Int("max_length");
  if (max_length < 0) reader.Fail("field \"max_length\" must not be negative");
  params.max_length = static_cast<size_t>(max_length);
  int64_t stride = reader.Int("stride", 0);
  if (stride < 0) reader.Fail("field \"stride\" must not be negative");
  params.stride = static_cast<size_t>(stride);
  std::string strategy = reader.String("strategy", "LongestFirst");
  if (strategy == "LongestFirst") params.strategy = TruncationParams::Strategy::LongestFirst;
  else if (strategy == "OnlyFirst") params.strategy = TruncationParams::Strategy::OnlyFirst;
  else if (strategy == "OnlySecond") params.strategy = TruncationParams::Strategy::OnlySecond;
  else reader.Fail("unknown truncation strategy \"" + strategy + "\"");
  std::string direction = reader.String("direction", "Right");
  if (direction != "Left" && direction != "Right") reader.Fail("unknown truncation direction \"" + direction + "\"");
  params.from_left = direction == "Left";
  return params;
}

std::optional<PaddingParams> ReadPadding(const Json& config) {
  if (config.is_null()) return std::nullopt;
  JsonReader reader(config, "tokenizer.json padding", ErrorCode::TokenizerInvalid);
  PaddingParams params;
  const Json& strategy = reader.Required("strategy");
  if (strategy.is_object() && strategy.contains("Fixed") && strategy["Fixed"].is_number_unsigned()) {
    params.fixed_length = strategy["Fixed"].get<size_t>();
  } else if (!(strategy.is_string() && strategy.get<std::string>() == "BatchLongest")) {
    reader.Fail("field \"strategy\" must be \"BatchLongest\" or {\"Fixed\": n}");
  }
  std::string direction = reader.String("direction", "Right");
  if (direction != "Left" && direction != "Right") reader.Fail("unknown padding direction \"" + direction + "\"");
  params.left = direction == "Left";
  if (reader.Has("pad_to_multiple_of")) {
    int64_t multiple = reader.Int("pad_to_multiple_of");
    if (multiple < 0) reader.Fail("field \"pad_to_multiple_of\" must not be negative");
    params.multiple_of = static_cast<size_t>(multiple);
  }
  params.pad_id = static_cast<uint32_t>(reader.Int("pad_id", 0));
  params.pad_type_id = static_cast<uint32_t>(reader.Int("pad_type_id", 0));
  params.pad_token = reader.String("pad_token", "[PAD]");
  return params;
}

const Json& Field(const Json& root, const char* key) {
  static const Json kNull;
  auto it = root.find(key);
  return it == root.end() ? kNull : *it;
}

}  // namespace

std::shared_ptr<const Tokenizer> Tokenizer::FromFile(const std::string& path) {
  return FromJson(ReadFile(path, ErrorCode::FileMissing), path);
}

std::shared_ptr<const Tokenizer> Tokenizer::FromJson(const std::string& text, const std::string& label) {
  Json root = ParseJson(text, label, ErrorCode::TokenizerInvalid);
  if (!root.is_object()) throw EngineError(ErrorCode::TokenizerInvalid, label + " must hold a JSON object");
  if (!root.contains("model")) throw EngineError(ErrorCode::TokenizerInvalid, label + " has no \"model\"");
  std::shared_ptr<Tokenizer> tokenizer(new Tokenizer());
  tokenizer->normalizer_ = MakeNormalizer(Field(root, "normalizer"));
  tokenizer->pre_tokenizer_ = MakePreTokenizer(Field(root, "pre_tokenizer"));
  tokenizer->model_ = MakeModel(root["model"]);
  tokenizer->decoder_ = MakeDecoder(Field(root, "decoder"));
  tokenizer->added_ = AddedVocabulary(Field(root, "added_tokens"), tokenizer->normalizer_.get());
  // After the model and added tokens: processors that look at token strings read them through the tokenizer,
  // which owns the processor and so outlives it.
  size_t id_count = tokenizer->model_->VocabSize();
  for (const auto& token : tokenizer->added_.tokens()) id_count = std::max<size_t>(id_count, token.id + size_t{1});
  const Tokenizer* self = tokenizer.get();
  tokenizer->post_processor_ = MakePostProcessor(
      Field(root, "post_processor"), TokenStrings{id_count, [self](uint32_t id) { return self->IdToToken(id); }});
  tokenizer->truncation_ = ReadTruncation(Field(root, "truncation"));
  tokenizer->padding_ = ReadPadding(Field(root, "padding"));
  return tokenizer;
}

EncodeSettings Tokenizer::DefaultSettings() const {
  EncodeSettings settings;
  settings.truncation = truncation_;
  settings.padding = padding_;
  return settings;
}

Encoding Tokenizer::EncodeSequence(std::string_view text, std::optional<size_t> word_limit, bool from_left) const {
  std::u32string chars = unicode::DecodeUtf8(text);
  std::vector<Split> splits = added_.ExtractAndNormalize(chars, normalizer_.get());
  if (pre_tokenizer_) pre_tokenizer_->PreTokenize(splits);
  // With truncation on, the reference stops tokenizing once it has max_length tokens, finishing the word it is
  // in (working from the end when truncating from the left): the overflowing pieces never see the rest.
  size_t first_split = 0;
  size_t end_split = splits.size();
  // Splits the model has already tokenized (added-token splits are `resolved` from the start and stay apart:
  // their tokens report the text they matched).
  std::vector<bool> modelled(splits.size(), false);
  if (word_limit) {
    auto tokenize = [&](size_t index) {
      Split& split = splits[index];
      if (!split.resolved && !modelled[index]) {
        model_->Tokenize(split.normalized.chars(), split.tokens);
        modelled[index] = true;
      }
      return split.tokens.size();
    };
    size_t count = 0;
    if (from_left) {
      for (first_split = splits.size(); first_split > 0 && count < *word_limit; --first_split) {
        count += tokenize(first_split - 1);
      }
    } else {
      for (end_split = 0; end_split < splits.size() && count < *word_limit; ++end_split) {
        count += tokenize(end_split);
      }
    }
  }
  Encoding encoding;
  encoding.Reserve(chars.size() / 3 + 4);
  for (size_t i = first_split; i < end_split; ++i) {
    Split& split = splits[i];
    if (!split.resolved && !modelled[i]) model_->Tokenize(split.normalized.chars(), split.tokens);
    for (const Token& token : split.tokens) {
      encoding.Push(token.id, 0, split.normalized.OriginOf(token.begin, token.end), false);
      if (!split.resolved && model_->KeepsInputText(token.id)) {
        const auto& chars = split.normalized.chars();
        encoding.SetLastText(unicode::EncodeUtf8(std::u32string_view(chars).substr(token.begin, token.end - token.begin)));
      }
    }
    // An added token is reported as the text it matched (which may include whitespace lstrip/rstrip took, or
    // differ by normalization), as the reference does; the common case matches the vocabulary and costs nothing.
    if (split.resolved && split.tokens.size() == 1) {
      std::string text = unicode::EncodeUtf8(split.normalized.chars());
      if (text != IdToToken(split.tokens[0].id)) encoding.SetText(encoding.size() - 1, std::move(text));
    }
  }
  return encoding;
}

size_t Tokenizer::SpecialTokenCount(bool is_pair) const {
  return post_processor_ ? post_processor_->AddedTokens(is_pair) : 0;
}

void Tokenizer::Truncate(Encoding& first, std::optional<Encoding>& second, const TruncationParams& params,
                         bool add_special_tokens) const {
  size_t reserved = add_special_tokens ? SpecialTokenCount(second.has_value()) : 0;
  size_t max_length = params.max_length > reserved ? params.max_length - reserved : 0;
  const size_t stride = params.stride;
  if (max_length == 0) {  // nothing fits: the whole text moves to the overflowing pieces
    first.TruncateWithOverflow(0, stride, params.from_left);
    if (second) second->TruncateWithOverflow(0, stride, params.from_left);
    return;
  }
  size_t total = first.size() + (second ? second->size() : 0);
  if (total <= max_length) return;
  size_t to_remove = total - max_length;
  using Strategy = TruncationParams::Strategy;
  if (params.strategy == Strategy::LongestFirst) {
    if (!second) {
      first.TruncateWithOverflow(total - to_remove, stride, params.from_left);
      return;
    }
    // Hugging Face's split of the budget: the shorter text keeps what it can, the longer one the rest,
    // and when both are too long each gets half (the first text the smaller half).
    size_t n1 = first.size();
    size_t n2 = second->size();
    bool swapped = n1 > n2;
    if (swapped) std::swap(n1, n2);
    n2 = n1 > max_length ? n1 : std::max(n1, max_length - n1);
    if (n1 + n2 > max_length) {
      n1 = max_length / 2;
      n2 = n1 + max_length % 2;
    }
    if (swapped) std::swap(n1, n2);
    first.TruncateWithOverflow(n1, stride, params.from_left);
    second->TruncateWithOverflow(n2, stride, params.from_left);
    return;
  }
  Encoding* target = params.strategy == Strategy::OnlyFirst ? &first : (second ? &*second : nullptr);
  if (!target) {
    throw EngineError(ErrorCode::InvalidArgument,
                      "truncation strategy only_second needs a pair of texts, but only one text was given");
  }
  if (target->size() <= to_remove) {
    throw EngineError(ErrorCode::InvalidArgument,
                      std::string("truncation strategy ") +
                          (params.strategy == Strategy::OnlyFirst ? "only_first" : "only_second") +
                          ": the text to truncate is too short to respect the maximum length of " +
                          std::to_string(params.max_length) + " (the other text alone is too long)");
  }
  target->TruncateWithOverflow(target->size() - to_remove, stride, params.from_left);
}

Encoding Tokenizer::PostProcess(Encoding first, std::optional<Encoding> second, bool add_special_tokens) const {
  return post_processor_ ? post_processor_->Process(std::move(first), std::move(second), add_special_tokens)
                         : DefaultPostProcess(std::move(first), std::move(second));
}

Encoding Tokenizer::PostProcessWithOverflow(Encoding first, std::optional<Encoding> second,
                                            bool add_special_tokens) const {
  // The reference adds special tokens to every piece, then merges the pair; merging combines the pieces as
  // below (Encoding::merge_with), nesting the combinations of a piece of the first text with the pieces of the
  // second inside that piece. Processing each combination at once is the same thing, as the special tokens
  // of each piece do not depend on the other.
  std::vector<Encoding> first_pieces = std::move(first.overflowing);
  first.overflowing.clear();
  std::vector<Encoding> second_pieces;
  if (second) {
    second_pieces = std::move(second->overflowing);
    second->overflowing.clear();
  }
  using Pieces = std::vector<Encoding>;
  // Encoding::merge_with(self = a with pieces a_pieces, pair = b with pieces b_pieces).
  std::function<Encoding(const Encoding&, const Pieces&, const std::optional<Encoding>&, const Pieces&)> merge =
      [&](const Encoding& a, const Pieces& a_pieces, const std::optional<Encoding>& b, const Pieces& b_pieces) {
        Encoding merged = PostProcess(a, b, add_special_tokens);
        for (const Encoding& piece : a_pieces) {
          merged.overflowing.push_back(merge(piece, {}, b, b_pieces));
          for (const Encoding& other : b_pieces) merged.overflowing.push_back(merge(piece, {}, other, {}));
        }
        for (const Encoding& other : b_pieces) merged.overflowing.push_back(merge(a, a_pieces, other, {}));
        return merged;
      };
  return merge(first, first_pieces, second, second_pieces);
}

size_t Tokenizer::PaddedLength(size_t longest, const PaddingParams& params) {
  size_t length = params.fixed_length.value_or(longest);
  if (params.multiple_of > 0 && length % params.multiple_of != 0) {
    length += params.multiple_of - length % params.multiple_of;
  }
  return length;
}

void Tokenizer::Pad(Encoding& encoding, size_t length, const PaddingParams& params) {
  for (Encoding& piece : encoding.overflowing) Pad(piece, length, params);  // the reference pads the pieces too
  if (encoding.size() >= length) return;
  size_t missing = length - encoding.size();
  auto pad = [&](auto& values, auto value) {
    using T = typename std::decay_t<decltype(values)>::value_type;
    if (params.left) values.insert(values.begin(), missing, static_cast<T>(value));
    else values.insert(values.end(), missing, static_cast<T>(value));
  };
  pad(encoding.ids, params.pad_id);
  pad(encoding.type_ids, params.pad_type_id);
  pad(encoding.attention_mask, 0u);
  pad(encoding.special_tokens_mask, 1u);
  if (params.left) encoding.offsets.insert(encoding.offsets.begin(), missing, Span{});
  else encoding.offsets.insert(encoding.offsets.end(), missing, Span{});
  if (!encoding.texts.empty()) pad(encoding.texts, std::string());
}

Encoding Tokenizer::Encode(std::string_view text, const std::string_view* pair, const EncodeSettings& settings) const {
  // Overflowing pieces only ever cover the words holding the first (from the left: the last) max_length tokens
  // of a text, as in the reference (measured with the `tokenizers` package: "a b ... k" with max_length 7,
  // stride 1 and [CLS]/[SEP] gives [a..e] and one piece [e f g], not [e..i] and [i j k]).
  // Only a text the strategy may truncate is limited (only_second leaves a single text whole, so that it fails).
  std::optional<size_t> first_limit, second_limit;
  bool from_left = false;
  if (settings.truncation) {
    using Strategy = TruncationParams::Strategy;
    from_left = settings.truncation->from_left;
    if (settings.truncation->strategy != Strategy::OnlySecond) first_limit = settings.truncation->max_length;
    if (settings.truncation->strategy != Strategy::OnlyFirst) second_limit = settings.truncation->max_length;
  }
  Encoding first = EncodeSequence(text, first_limit, from_left);
  std::optional<Encoding> second;
  if (pair) second = EncodeSequence(*pair, second_limit, from_left);
  if (settings.truncation) Truncate(first, second, *settings.truncation, settings.add_special_tokens);
  bool overflowed = !first.overflowing.empty() || (second && !second->overflowing.empty());
  Encoding merged = overflowed ? PostProcessWithOverflow(std::move(first), std::move(second), settings.add_special_tokens)
                               : PostProcess(std::move(first), std::move(second), settings.add_special_tokens);
  if (settings.padding) Pad(merged, PaddedLength(merged.size(), *settings.padding), *settings.padding);
  return merged;
}

std::vector<Encoding> Tokenizer::EncodeBatch(
    const std::vector<std::pair<std::string, std::optional<std::string>>>& inputs,
    const EncodeSettings& settings) const {
  EncodeSettings unpadded = settings;
  unpadded.padding.reset();
  std::vector<Encoding> encodings;
  encodings.reserve(inputs.size());
  size_t longest = 0;
  for (const auto& [text, pair] : inputs) {
    std::string_view pair_view;
    if (pair) pair_view = *pair;
    encodings.push_back(Encode(text, pair ? &pair_view : nullptr, unpadded));
    longest = std::max(longest, encodings.back().size());
  }
  if (settings.padding) {
    size_t length = PaddedLength(longest, *settings.padding);
    for (auto& encoding : encodings) Pad(encoding, length, *settings.padding);
  }
  return encodings;
}

std::string Tokenizer::IdToToken(uint32_t id) const {
  if (const AddedToken* token = added_.FindById(id)) return token->content;
  return model_->IdToToken(id).value_or("");
}

std::string Tokenizer::Decode(const std::vector<uint32_t>& ids, bool skip_special_tokens) const {
  std::vector<std::string> tokens;
  tokens.reserve(ids.size());
  for (uint32_t id : ids) {
    std::optional<std::string> token;
    if (const AddedToken* added = added_.FindById(id)) token = added->content;
    else token = model_->IdToToken(id);
    if (!token) continue;
    // The reference decides "special" by the token's text, whichever id produced it.
    if (skip_special_tokens) {
      const auto& added = added_.tokens();
      bool special = std::any_of(added.begin(), added.end(),
                                 [&](const AddedToken& t) { return t.special && t.content == *token; });
      if (special) continue;
    }
    tokens.push_back(std::move(*token));
  }
  return DecodeTokens(decoder_.get(), std::move(tokens));
}

std::optional<uint32_t> Tokenizer::TokenToId(const std::string& token) const {
  for (const auto& added : added_.tokens()) {
    if (added.content == token) return added.id;
  }
  return model_->TokenToId(token);
}

size_t Tokenizer::VocabSize() const { return model_->VocabSize(); }

}  // namespace engine
