// Unigram (SentencePiece's model, used by T5, XLM-R, ALBERT and most multilingual models): the segmentation of a
// word into vocabulary pieces with the highest total log-probability (Viterbi over a trie of the pieces).
// Characters no piece covers become the unknown piece, and adjacent unknown characters fuse into one unknown
// token; with byte_fallback an unknown token is spelled instead as the <0xXX> pieces of its UTF-8 bytes.
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

#include "tokenizer/model.h"

namespace engine {

class Unigram final : public Model {
 public:
  explicit Unigram(const JsonReader& config);

  // Throws INVALID_ARGUMENT when the word needs the unknown piece and the file defines none (as the reference
  // refuses to encode it).
  void Tokenize(const std::u32string& word, std::vector<Token>& out) const override;
  std::optional<uint32_t> TokenToId(const std::string& token) const override;
  std::optional<std::string> IdToToken(uint32_t id) const override;
  size_t VocabSize() const override { return pieces_.size(); }
  std::optional<uint32_t> UnknownTokenId() const override { return has_unk_ ? std::optional<uint32_t>(unk_id_) : std::nullopt; }
  // The reference reports an unknown token as the text it covers, not as the unknown piece.
  bool KeepsInputText(uint32_t id) const override { return has_unk_ && id == unk_id_; }

 private:
  // A trie over the pieces' code points: children of a node are a sorted run of `edges_`. The root's children
  // below U+10000 are also indexed directly, since every position of every word starts there.
  struct Edge {
    char32_t cp;
    uint32_t node;
  };
  struct Node {
    uint32_t first_edge = 0;
    uint32_t edge_count = 0;
    int32_t piece = -1;  // id of the piece ending here
  };
  static constexpr char32_t kRootDirect = 0x10000;
  static constexpr uint32_t kNoNode = 0xFFFFFFFF;

  void BuildTrie();
  uint32_t Child(uint32_t node, char32_t cp) const;
  // Appends the tokens of one segment that the lattice left unknown, [begin, end) of `word`.
  void PushUnknown(const std::u32string& word, uint32_t begin, uint32_t end, std::vector<Token>& out) const;

  std::vector<std::string> pieces_;
  std::vector<double> scores_;
  std::unordered_map<std::string, uint32_t> piece_to_id_;
  std::vector<Node> nodes_;
  std::vector<Edge> edges_;
  std::vector<uint32_t> root_direct_;
  int32_t byte_ids_[256];  // id of "<0xXX>" for each byte, -1 when absent
  bool has_unk_ = false;
  uint32_t unk_id_ = 0;
  bool byte_fallback_ = false;
  double unk_score_ = 0;
};

}  // namespace engine
