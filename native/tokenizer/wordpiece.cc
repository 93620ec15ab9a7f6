#include "tokenizer/wordpiece.h"

#include <algorithm>

#include "tokenizer/unicode.h"

namespace engine {

WordPiece::WordPiece(const JsonReader& config) {
  std::string unk_token = config.String("unk_token", "[UNK]");
  std::string prefix = config.String("continuing_subword_prefix", "##");
  int64_t max_chars = config.Int("max_input_chars_per_word", 100);
  if (max_chars < 0) config.Fail("field \"max_input_chars_per_word\" must not be negative");
  max_input_chars_per_word_ = static_cast<size_t>(max_chars);

  const Json& vocab = config.Required("vocab");
  if (!vocab.is_object()) config.Fail("field \"vocab\" must be an object of token → id");
  for (auto it = vocab.begin(); it != vocab.end(); ++it) {
    if (!it.value().is_number_unsigned()) config.Fail("vocab entry \"" + it.key() + "\" must map to a non-negative id");
    auto id = it.value().get<uint64_t>();
    if (id > 0xFFFFFFF) config.Fail("vocab entry \"" + it.key() + "\" has an id out of range");
    const std::string& token = it.key();
    token_to_id_[token] = static_cast<uint32_t>(id);
    if (id >= id_to_token_.size()) id_to_token_.resize(id + 1);
    id_to_token_[id] = token;
    if (!prefix.empty() && token.size() > prefix.size() && token.compare(0, prefix.size(), prefix) == 0) {
      auto piece = unicode::DecodeUtf8(std::string_view(token).substr(prefix.size()));
      longest_continuation_ = std::max(longest_continuation_, piece.size());
      continuation_.emplace(std::move(piece), static_cast<uint32_t>(id));
    }
    auto piece = unicode::DecodeUtf8(token);
    longest_initial_ = std::max(longest_initial_, piece.size());
    initial_.emplace(std::move(piece), static_cast<uint32_t>(id));
  }
  // With an empty prefix, continuation pieces are ordinary vocabulary entries.
  if (prefix.empty()) {
    continuation_ = initial_;
    longest_continuation_ = longest_initial_;
  }
  auto unk = token_to_id_.find(unk_token);
  if (unk == token_to_id_.end()) {
    config.Fail("the unknown token \"" + unk_token + "\" is not in the vocabulary");
  }
  unk_id_ = unk->second;
}

void WordPiece::Tokenize(const std::u32string& word, std::vector<Token>& out) const {
  const auto length = static_cast<uint32_t>(word.size());
  if (word.size() > max_input_chars_per_word_) {
    out.push_back(Token{unk_id_, 0, length});
    return;
  }
  size_t first_piece = out.size();
  std::u32string candidate;
  size_t start = 0;
  while (start < word.size()) {
    const auto& table = start == 0 ? initial_ : continuation_;
    size_t longest = start == 0 ? longest_initial_ : longest_continuation_;
    size_t end = std::min(word.size(), start + longest);
    bool found = false;
    for (; end > start; --end) {
      candidate.assign(word, start, end - start);
      auto it = table.find(candidate);
      if (it != table.end()) {
        out.push_back(Token{it->second, static_cast<uint32_t>(start), static_cast<uint32_t>(end)});
        found = true;
        break;
      }
    }
    if (!found) {
      out.resize(first_piece);
      out.push_back(Token{unk_id_, 0, length});
      return;
    }
    start = end;
  }
}

std::optional<uint32_t> WordPiece::TokenToId(const std::string& token) const {
  auto it = token_to_id_.find(token);
  if (it == token_to_id_.end()) return std::nullopt;
  return it->second;
}

std::optional<std::string> WordPiece::IdToToken(uint32_t id) const {
  if (id >= id_to_token_.size()) return std::nullopt;
  return id_to_token_[id];
}

}  // namespace engine
