#include "tokenizer/unigram.h"

#include <algorithm>
#include <cstdio>
#include <map>

#include "tokenizer/unicode.h"

namespace engine {

namespace {

// SentencePiece's penalty for the unknown piece, below the least likely real piece.
constexpr double kUnknownPenalty = 10.0;

// One lattice position: the best path that ends here.
struct BestPath {
  double score = 0;
  int64_t starts_at = -1;  // -1: no path ends here yet
  uint32_t id = 0;
  bool unknown = false;
};

}  // namespace

Unigram::Unigram(const JsonReader& config) {
  const Json& vocab = config.Required("vocab");
  if (!vocab.is_array()) config.Fail("field \"vocab\" must be an array of [piece, score]");
  pieces_.reserve(vocab.size());
  scores_.reserve(vocab.size());
  for (const auto& entry : vocab) {
    if (!entry.is_array() || entry.size() != 2 || !entry[0].is_string() || !entry[1].is_number()) {
      config.Fail("vocab entry " + std::to_string(pieces_.size()) + " must be [piece, score]");
    }
    auto id = static_cast<uint32_t>(pieces_.size());
    pieces_.push_back(entry[0].get<std::string>());
    scores_.push_back(entry[1].get<double>());
    piece_to_id_[pieces_.back()] = id;  // a repeated piece maps to its last id, as in the reference
  }
  if (pieces_.empty()) config.Fail("field \"vocab\" must not be empty");
  if (config.Has("unk_id") && !config.object()["unk_id"].is_null()) {
    int64_t unk = config.Int("unk_id");
    if (unk < 0 || static_cast<size_t>(unk) >= pieces_.size()) {
      config.Fail("field \"unk_id\" is " + std::to_string(unk) + ", outside the vocabulary of " +
                  std::to_string(pieces_.size()) + " pieces");
    }
    has_unk_ = true;
    unk_id_ = static_cast<uint32_t>(unk);
  }
  byte_fallback_ = config.Bool("byte_fallback", false);
  for (int byte = 0; byte < 256; ++byte) {
    char name[8];
    std::snprintf(name, sizeof name, "<0x%02X>", byte);
    auto it = piece_to_id_.find(name);
    byte_ids_[byte] = it == piece_to_id_.end() ? -1 : static_cast<int32_t>(it->second);
  }
  unk_score_ = *std::min_element(scores_.begin(), scores_.end()) - kUnknownPenalty;
  BuildTrie();
}

void Unigram::BuildTrie() {
  // Build with ordered maps, then flatten breadth-first into sorted edge runs.
  struct BuildNode {
    std::map<char32_t, uint32_t> children;
    int32_t piece = -1;
  };
  std::vector<BuildNode> build(1);
  for (uint32_t id = 0; id < pieces_.size(); ++id) {
    const std::u32string piece = unicode::DecodeUtf8(pieces_[id]);
    if (piece.empty()) continue;
    uint32_t node = 0;
    for (char32_t cp : piece) {
      auto it = build[node].children.find(cp);
      if (it == build[node].children.end()) {
        build.push_back(BuildNode{});
        it = build[node].children.emplace(cp, static_cast<uint32_t>(build.size() - 1)).first;
      }
      node = it->second;
    }
    // The reference finds a piece through its text, so a repeated piece resolves to the id its text maps to.
    build[node].piece = static_cast<int32_t>(piece_to_id_.at(pieces_[id]));
  }
  nodes_.assign(build.size(), Node{});
  std::vector<uint32_t> order{0};
  std::vector<uint32_t> flat_index(build.size(), 0);
  for (size_t i = 0; i < order.size(); ++i) {
    for (const auto& child : build[order[i]].children) {
      flat_index[child.second] = static_cast<uint32_t>(order.size());
      order.push_back(child.second);
    }
  }
  for (size_t i = 0; i < order.size(); ++i) {
    const BuildNode& source = build[order[i]];
    Node& node = nodes_[i];
    node.piece = source.piece;
    node.first_edge = static_cast<uint32_t>(edges_.size());
    node.edge_count = static_cast<uint32_t>(source.children.size());
    for (const auto& [cp, child] : source.children) edges_.push_back(Edge{cp, flat_index[child]});
  }
  root_direct_.assign(kRootDirect, kNoNode);
  const Node& root = nodes_[0];
  for (uint32_t e = root.first_edge; e < root.first_edge + root.edge_count; ++e) {
    if (edges_[e].cp < kRootDirect) root_direct_[edges_[e].cp] = edges_[e].node;
  }
}

uint32_t Unigram::Child(uint32_t node, char32_t cp) const {
  if (node == 0 && cp < kRootDirect) return root_direct_[cp];
  const Node& n = nodes_[node];
  auto begin = edges_.begin() + n.first_edge;
  auto end = begin + n.edge_count;
  auto it = std::lower_bound(begin, end, cp, [](const Edge& edge, char32_t value) { return edge.cp < value; });
  return it != end && it->cp == cp ? it->node : kNoNode;
}

void Unigram::PushUnknown(const std::u32string& word, uint32_t begin, uint32_t end, std::vector<Token>& out) const {
  std::string text = unicode::EncodeUtf8(std::u32string_view(word).substr(begin, end - begin));
  // A fused run of unknown characters may itself spell a piece; the reference looks every token up by its text.
  auto known = piece_to_id_.find(text);
  if (known != piece_to_id_.end()) {
    out.push_back(Token{known->second, begin, end});
    return;
  }
  if (byte_fallback_) {
    bool all_bytes = std::all_of(text.begin(), text.end(),
                                 [&](char byte) { return byte_ids_[static_cast<unsigned char>(byte)] >= 0; });
    if (all_bytes) {
      // Every byte token reports the span of the whole unknown text (measured with the reference).
      for (char byte : text) {
        out.push_back(Token{static_cast<uint32_t>(byte_ids_[static_cast<unsigned char>(byte)]), begin, end});
      }
      return;
    }
  }
  if (!has_unk_) {
    throw EngineError(ErrorCode::InvalidArgument,
                      "the Unigram model met a character outside its vocabulary and tokenizer.json defines no "
                      "\"unk_id\" (the reference refuses such input too)");
  }
  out.push_back(Token{unk_id_, begin, end});
}

void Unigram::Tokenize(const std::u32string& word, std::vector<Token>& out) const {
  const size_t length = word.size();
  if (length == 0) return;
  // One lattice per thread, reused across calls: tokenizing never allocates once it has seen its longest word.
  thread_local std::vector<BestPath> best;
  best.assign(length + 1, BestPath{});
  best[0].starts_at = 0;
  for (size_t start = 0; start < length; ++start) {
    const double base = best[start].score;
    bool has_single = false;
    uint32_t node = 0;
    // Pieces starting here, shortest first; on equal scores the first path found wins, as in the reference.
    for (size_t end = start; end < length; ++end) {
      node = Child(node, word[end]);
      if (node == kNoNode) break;
      int32_t piece = nodes_[node].piece;
      if (piece < 0) continue;
      BestPath& target = best[end + 1];
      double candidate = scores_[static_cast<size_t>(piece)] + base;
      if (target.starts_at < 0 || candidate > target.score) {
        target = BestPath{candidate, static_cast<int64_t>(start), static_cast<uint32_t>(piece), false};
      }
      if (end == start) has_single = true;
    }
    if (!has_single) {
      BestPath& target = best[start + 1];
      double candidate = unk_score_ + base;
      if (target.starts_at < 0 || candidate > target.score) {
        target = BestPath{candidate, static_cast<int64_t>(start), unk_id_, true};
      }
    }
  }
  // Walk back from the end; runs of unknown characters fuse into one token when the model has an unknown piece.
  thread_local std::vector<std::pair<uint32_t, uint32_t>> path;  // (begin, end) of each lattice node, reversed
  thread_local std::vector<char> unknown;
  path.clear();
  unknown.clear();
  size_t end = length;
  while (end > 0) {
    const BestPath& node = best[end];
    auto begin = static_cast<uint32_t>(node.starts_at);
    bool is_unknown = node.unknown || (has_unk_ && node.id == unk_id_);
    if (is_unknown && has_unk_ && !path.empty() && unknown.back()) {
      path.back().first = begin;  // extend the fused run leftwards
    } else {
      path.emplace_back(begin, static_cast<uint32_t>(end));
      unknown.push_back(is_unknown && has_unk_ ? 1 : (node.unknown ? 2 : 0));
    }
    end = begin;
  }
  for (size_t i = path.size(); i-- > 0;) {
    auto [begin, stop] = path[i];
    if (unknown[i]) {
      PushUnknown(word, begin, stop, out);
    } else {
      out.push_back(Token{best[stop].id, begin, stop});
    }
  }
}

std::optional<uint32_t> Unigram::TokenToId(const std::string& token) const {
  auto it = piece_to_id_.find(token);
  if (it == piece_to_id_.end()) return std::nullopt;
  return it->second;
}

std::optional<std::string> Unigram::IdToToken(uint32_t id) const {
  if (id >= pieces_.size()) return std::nullopt;
  return pieces_[id];
}

}  // namespace engine
