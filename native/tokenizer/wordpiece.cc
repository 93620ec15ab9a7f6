#include "tokenizer/wordpiece.h"

#include <algorithm>

#include "tokenizer/unicode.h"

namespace engine {

namespace {

// Mixes (node, code point) into a table index (a 64-bit multiplicative hash: both halves matter).
inline size_t EdgeHash(uint32_t node, char32_t cp) {
  uint64_t key = (static_cast<uint64_t>(node) << 32) | static_cast<uint64_t>(cp);
  key *= 0x9E3779B97F4A7C15ull;
  return static_cast<size_t>(key ^ (key >> 29));
}

}  // namespace

WordPiece::WordPiece(const JsonReader& config) {
  std::string unk_token = config.String("unk_token", "[UNK]");
  std::string prefix = config.String("continuing_subword_prefix", "##");
  int64_t max_chars = config.Int("max_input_chars_per_word", 100);
  if (max_chars < 0) config.Fail("field \"max_input_chars_per_word\" must not be negative");
  max_input_chars_per_word_ = static_cast<size_t>(max_chars);

  const Json& vocab = config.Required("vocab");
  if (!vocab.is_object()) config.Fail("field \"vocab\" must be an object of token → id");
  edges_.resize(1024);
  node_token_ = {kNone, kNone};  // the two roots
  for (auto it = vocab.begin(); it != vocab.end(); ++it) {
    if (!it.value().is_number_unsigned()) config.Fail("vocab entry \"" + it.key() + "\" must map to a non-negative id");
    auto id = it.value().get<uint64_t>();
    if (id > 0xFFFFFFF) config.Fail("vocab entry \"" + it.key() + "\" has an id out of range");
    const std::string& token = it.key();
    token_to_id_[token] = static_cast<uint32_t>(id);
    if (id >= id_to_token_.size()) id_to_token_.resize(id + 1);
    id_to_token_[id] = token;
    std::u32string piece = unicode::DecodeUtf8(token);
    if (prefix.empty()) {
      // With an empty prefix, continuation pieces are ordinary vocabulary entries.
      Insert(kContinuationRoot, piece, static_cast<uint32_t>(id));
    } else if (token.size() > prefix.size() && token.compare(0, prefix.size(), prefix) == 0) {
      Insert(kContinuationRoot, unicode::DecodeUtf8(std::string_view(token).substr(prefix.size())),
             static_cast<uint32_t>(id));
    }
    Insert(kInitialRoot, piece, static_cast<uint32_t>(id));
  }
  auto unk = token_to_id_.find(unk_token);
  if (unk == token_to_id_.end()) {
    config.Fail("the unknown token \"" + unk_token + "\" is not in the vocabulary");
  }
  unk_id_ = unk->second;
}

uint32_t WordPiece::Child(uint32_t node, char32_t cp) const {
  const size_t mask = edges_.size() - 1;
  for (size_t slot = EdgeHash(node, cp) & mask;; slot = (slot + 1) & mask) {
    const Edge& edge = edges_[slot];
    if (edge.node == node && edge.cp == cp) return edge.child;
    if (edge.node == kNone) return kNone;
  }
}

void WordPiece::GrowEdges() {
  std::vector<Edge> old(edges_.size() * 2);
  old.swap(edges_);
  const size_t mask = edges_.size() - 1;
  for (const Edge& edge : old) {
    if (edge.node == kNone) continue;
    size_t slot = EdgeHash(edge.node, edge.cp) & mask;
    while (edges_[slot].node != kNone) slot = (slot + 1) & mask;
    edges_[slot] = edge;
  }
}

uint32_t WordPiece::AddChild(uint32_t node, char32_t cp) {
  uint32_t existing = Child(node, cp);
  if (existing != kNone) return existing;
  if ((edge_count_ + 1) * 2 > edges_.size()) GrowEdges();
  const size_t mask = edges_.size() - 1;
  size_t slot = EdgeHash(node, cp) & mask;
  while (edges_[slot].node != kNone) slot = (slot + 1) & mask;
  auto child = static_cast<uint32_t>(node_token_.size());
  node_token_.push_back(kNone);
  edges_[slot] = Edge{node, cp, child};
  ++edge_count_;
  return child;
}

void WordPiece::Insert(uint32_t root, const std::u32string& piece, uint32_t id) {
  if (piece.empty()) return;  // an empty piece can never match (the reference needs at least one code point)
  uint32_t node = root;
  for (char32_t cp : piece) node = AddChild(node, cp);
  // The first entry wins when two spell the same piece, as with a map's emplace.
  if (node_token_[node] == kNone) node_token_[node] = id;
}

void WordPiece::Tokenize(const std::u32string& word, std::vector<Token>& out) const {
  const size_t length = word.size();
  if (length > max_input_chars_per_word_) {
    out.push_back(Token{unk_id_, 0, static_cast<uint32_t>(length)});
    return;
  }
  const size_t first_piece = out.size();
  // Most words are one to three pieces: one allocation instead of growing 1, 2, 4.
  if (out.capacity() - first_piece < 4) out.reserve(first_piece + 4);
  size_t start = 0;
  while (start < length) {
    // Walk down from the root while the trie has an edge; the last node that ends a piece is the longest match.
    uint32_t node = start == 0 ? kInitialRoot : kContinuationRoot;
    uint32_t match = kNone;
    size_t match_end = start;
    for (size_t i = start; i < length; ++i) {
      node = Child(node, word[i]);
      if (node == kNone) break;
      if (node_token_[node] != kNone) {
        match = node_token_[node];
        match_end = i + 1;
      }
    }
    if (match == kNone) {
      out.resize(first_piece);
      out.push_back(Token{unk_id_, 0, static_cast<uint32_t>(length)});
      return;
    }
    out.push_back(Token{match, static_cast<uint32_t>(start), static_cast<uint32_t>(match_end)});
    start = match_end;
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
