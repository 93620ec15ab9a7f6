// WordPiece (BERT's model): greedy longest-match-first over the vocabulary, continuation pieces prefixed
// ("##" by default); a word with no full cover, or longer than max_input_chars_per_word, becomes the unknown token.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "tokenizer/model.h"

namespace engine {

class WordPiece final : public Model {
 public:
  explicit WordPiece(const JsonReader& config);

  void Tokenize(const std::u32string& word, std::vector<Token>& out) const override;
  std::optional<uint32_t> TokenToId(const std::string& token) const override;
  std::optional<std::string> IdToToken(uint32_t id) const override;
  size_t VocabSize() const override { return id_to_token_.size(); }
  std::optional<uint32_t> UnknownTokenId() const override { return unk_id_; }

 private:
  // The vocabulary as a trie over code points with two roots: word-initial pieces, and continuation pieces
  // keyed without their prefix. The longest piece at a position is then one walk down the trie, one step per
  // code point, instead of hashing every candidate substring from the longest down (and no allocation).
  // Edges (node, code point) → child live in one open-addressing hash table.
  static constexpr uint32_t kInitialRoot = 0;
  static constexpr uint32_t kContinuationRoot = 1;
  static constexpr uint32_t kNone = UINT32_MAX;

  struct Edge {
    uint32_t node = kNone;  // kNone: empty slot
    char32_t cp = 0;
    uint32_t child = 0;
  };

  uint32_t Child(uint32_t node, char32_t cp) const;
  uint32_t AddChild(uint32_t node, char32_t cp);
  void Insert(uint32_t root, const std::u32string& piece, uint32_t id);
  void GrowEdges();

  std::vector<Edge> edges_;           // size is a power of two, at most half full
  size_t edge_count_ = 0;
  std::vector<uint32_t> node_token_;  // the id of the piece ending at each node, or kNone

  std::unordered_map<std::string, uint32_t> token_to_id_;
  std::vector<std::string> id_to_token_;
  uint32_t unk_id_ = 0;
  size_t max_input_chars_per_word_ = 100;
};

}  // namespace engine
