#include "tokenizer/word_level.h"

#include "tokenizer/unicode.h"

namespace engine {

WordLevel::WordLevel(const JsonReader& config) : unk_token_(config.String("unk_token", "<unk>")) {
  const Json& vocab = config.Required("vocab");
  if (!vocab.is_object()) config.Fail("field \"vocab\" must be an object of token → id");
  for (auto it = vocab.begin(); it != vocab.end(); ++it) {
    if (!it.value().is_number_unsigned()) config.Fail("vocab entry \"" + it.key() + "\" must map to a non-negative id");
    auto id = it.value().get<uint64_t>();
    if (id > 0xFFFFFFF) config.Fail("vocab entry \"" + it.key() + "\" has an id out of range");
    token_to_id_[it.key()] = static_cast<uint32_t>(id);
    words_[unicode::DecodeUtf8(it.key())] = static_cast<uint32_t>(id);
    if (id >= id_to_token_.size()) id_to_token_.resize(id + 1);
    id_to_token_[id] = it.key();
  }
  // The reference accepts a file whose unknown token is missing and fails only on an unknown word.
  auto unk = token_to_id_.find(unk_token_);
  if (unk != token_to_id_.end()) unk_id_ = unk->second;
}

void WordLevel::Tokenize(const std::u32string& word, std::vector<Token>& out) const {
  const auto length = static_cast<uint32_t>(word.size());
  auto it = words_.find(word);
  if (it != words_.end()) {
    out.push_back(Token{it->second, 0, length});
    return;
  }
  if (!unk_id_) {
    throw EngineError(ErrorCode::InvalidArgument, "the WordLevel model met a word outside its vocabulary and its "
                                                  "unknown token \"" + unk_token_ + "\" is not in the vocabulary");
  }
  out.push_back(Token{*unk_id_, 0, length});
}

std::optional<uint32_t> WordLevel::TokenToId(const std::string& token) const {
  auto it = token_to_id_.find(token);
  if (it == token_to_id_.end()) return std::nullopt;
  return it->second;
}

std::optional<std::string> WordLevel::IdToToken(uint32_t id) const {
  if (id >= id_to_token_.size() || id_to_token_[id].empty()) return std::nullopt;
  return id_to_token_[id];
}

}  // namespace engine
