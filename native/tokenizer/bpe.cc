#include "tokenizer/bpe.h"

#include <algorithm>
#include <cstdio>
#include <functional>

#include "tokenizer/unicode.h"

namespace engine {

namespace {

// Longer words are tokenized every time: caching them would let a few huge inputs crowd out the cache.
constexpr size_t kMaxCachedWordLength = 256;

struct Symbol {
  uint32_t id;
  uint32_t begin;  // UTF-8 bytes of the word
  uint32_t end;
  int32_t prev;
  int32_t next;
  bool removed;
};

struct Candidate {
  uint32_t rank;
  uint32_t pos;  // index of the left symbol
  uint32_t new_id;
};

// Heap order: the lowest rank on top, and the leftmost among equal ranks.
bool LaterThan(const Candidate& a, const Candidate& b) {
  return a.rank != b.rank ? a.rank > b.rank : a.pos > b.pos;
}

}  // namespace

bool Bpe::WordCache::Find(const std::u32string& word, std::vector<Token>& out) const {
  Shard& shard = shards_[std::hash<std::u32string>{}(word) % kShards];
  std::lock_guard<std::mutex> lock(shard.mutex);
  auto it = shard.words.find(word);
  if (it == shard.words.end()) return false;
  out.insert(out.end(), it->second.begin(), it->second.end());
  return true;
}

void Bpe::WordCache::Insert(const std::u32string& word, const Token* begin, const Token* end) const {
  Shard& shard = shards_[std::hash<std::u32string>{}(word) % kShards];
  std::lock_guard<std::mutex> lock(shard.mutex);
  if (shard.words.size() >= kEntriesPerShard) shard.words.clear();
  shard.words.emplace(word, std::vector<Token>(begin, end));
}

Bpe::Bpe(const JsonReader& config) {
  if (config.Has("dropout")) {
    const Json& dropout = config.Required("dropout");
    if (!dropout.is_number()) config.Fail("field \"dropout\" must be a number or null");
    double p = dropout.get<double>();
    if (p < 0.0 || p > 1.0) config.Fail("field \"dropout\" must be between 0 and 1");
    if (p > 0.0) {
      throw EngineError(ErrorCode::TokenizerUnsupported,
                        "tokenizer.json model uses BPE \"dropout\" " + std::to_string(p) +
                            ", which makes tokenization random; this engine supports only null or 0");
    }
  }
  // Has() is false for null: null and absent both mean "none".
  if (config.Has("unk_token")) unk_token_ = config.String("unk_token");
  if (config.Has("continuing_subword_prefix")) continuing_subword_prefix_ = config.String("continuing_subword_prefix");
  if (config.Has("end_of_word_suffix")) end_of_word_suffix_ = config.String("end_of_word_suffix");
  fuse_unk_ = config.Bool("fuse_unk", false);
  byte_fallback_ = config.Bool("byte_fallback", false);
  ignore_merges_ = config.Bool("ignore_merges", false);

  const Json& vocab = config.Required("vocab");
  if (!vocab.is_object()) config.Fail("field \"vocab\" must be an object of token → id");
  token_to_id_.reserve(vocab.size());
  for (auto it = vocab.begin(); it != vocab.end(); ++it) {
    if (!it.value().is_number_unsigned()) config.Fail("vocab entry \"" + it.key() + "\" must map to a non-negative id");
    auto id = it.value().get<uint64_t>();
    if (id > 0xFFFFFFF) config.Fail("vocab entry \"" + it.key() + "\" has an id out of range");
    token_to_id_[it.key()] = static_cast<uint32_t>(id);
    if (id >= id_to_token_.size()) id_to_token_.resize(id + 1);
    id_to_token_[id] = it.key();
  }
  for (int b = 0; b < 256; ++b) {
    char name[8];
    std::snprintf(name, sizeof(name), "<0x%02X>", b);
    byte_ids_[b] = Find(name);
  }
  ReadMerges(config);
}

void Bpe::ReadMerges(const JsonReader& config) {
  const Json& merges = config.Required("merges");
  if (!merges.is_array()) config.Fail("field \"merges\" must be an array");
  merges_.reserve(merges.size());
  uint32_t rank = 0;
  for (const auto& merge : merges) {
    // Two serializations: "left right" (split at the first space) and ["left", "right"].
    if (merge.is_string()) {
      const auto& text = merge.get_ref<const std::string&>();
      size_t space = text.find(' ');
      if (space == std::string::npos) config.Fail("merge \"" + text + "\" must be two tokens separated by a space");
      AddMerge(config, text.substr(0, space), text.substr(space + 1), rank);
    } else if (merge.is_array() && merge.size() == 2 && merge[0].is_string() && merge[1].is_string()) {
      AddMerge(config, merge[0].get<std::string>(), merge[1].get<std::string>(), rank);
    } else {
      config.Fail("field \"merges\" must hold \"left right\" strings or [left, right] pairs");
    }
    ++rank;
  }
}

void Bpe::AddMerge(const JsonReader& config, const std::string& left, const std::string& right, uint32_t rank) {
  auto left_id = Find(left);
  auto right_id = Find(right);
  if (!left_id) config.Fail("merge token \"" + left + "\" is not in the vocabulary");
  if (!right_id) config.Fail("merge token \"" + right + "\" is not in the vocabulary");
  // The merged token drops the right part's continuing-subword prefix: "hel" + "##lo" = "hello".
  size_t skip = 0;
  if (!continuing_subword_prefix_.empty() && right.compare(0, continuing_subword_prefix_.size(), continuing_subword_prefix_) == 0) {
    skip = continuing_subword_prefix_.size();
  }
  std::string merged = left + right.substr(skip);
  auto merged_id = Find(merged);
  if (!merged_id) config.Fail("merged token \"" + merged + "\" is not in the vocabulary");
  // A repeated pair keeps its last rank, as the reference's map build does.
  merges_[PairKey(*left_id, *right_id)] = Merge{rank, *merged_id};
}

std::optional<uint32_t> Bpe::Find(const std::string& token) const {
  auto it = token_to_id_.find(token);
  if (it == token_to_id_.end()) return std::nullopt;
  return it->second;
}

uint32_t Bpe::UnknownId() const {
  auto id = Find(*unk_token_);
  // The reference loads such a file too and fails only when an unknown character needs the token.
  if (!id) {
    throw EngineError(ErrorCode::TokenizerInvalid,
                      "tokenizer.json model: the unknown token \"" + *unk_token_ + "\" is not in the vocabulary");
  }
  return *id;
}

void Bpe::Tokenize(const std::u32string& word, std::vector<Token>& out) const {
  if (word.empty()) return;
  const auto length = static_cast<uint32_t>(word.size());
  if (ignore_merges_) {
    if (auto id = Find(unicode::EncodeUtf8(word))) {
      out.push_back(Token{*id, 0, length});
      return;
    }
  }
  const bool cacheable = word.size() <= kMaxCachedWordLength;
  if (cacheable && cache_.Find(word, out)) return;
  size_t first = out.size();
  MergeWord(word, out);
  if (cacheable) cache_.Insert(word, out.data() + first, out.data() + out.size());
}

void Bpe::MergeWord(const std::u32string& word, std::vector<Token>& out) const {
  thread_local std::vector<Symbol> symbols;
  thread_local std::vector<Candidate> heap;
  thread_local std::vector<uint32_t> char_starts;  // UTF-8 byte offset of each character of the word, then the end
  thread_local std::string piece;
  symbols.clear();
  heap.clear();
  char_starts.clear();

  // Symbol spans are UTF-8 byte offsets into the word that advance by each symbol's length, as the reference
  // counts them: a dropped character (no unk_token) advances nothing, so later offsets shift left, and a
  // byte-fallback token advances one byte. They become code-point spans at the end.
  uint32_t position = 0;
  auto add = [&](uint32_t id, uint32_t length) {
    symbols.push_back(Symbol{id, position, position + length, static_cast<int32_t>(symbols.size()) - 1, -1, false});
    position += length;
  };
  // A pending unknown token (its id and byte length): consecutive unknown characters fuse into it with fuse_unk.
  std::optional<std::pair<uint32_t, uint32_t>> unknown;
  auto flush_unknown = [&] {
    if (unknown) add(unknown->first, unknown->second);
    unknown.reset();
  };

  const auto length = static_cast<uint32_t>(word.size());
  uint32_t byte_offset = 0;
  for (uint32_t i = 0; i < length; ++i) {
    piece.clear();
    if (i > 0) piece += continuing_subword_prefix_;
    size_t char_begin = piece.size();
    unicode::AppendUtf8(piece, word[i]);
    const auto char_bytes = static_cast<uint32_t>(piece.size() - char_begin);
    char_starts.push_back(byte_offset);
    byte_offset += char_bytes;
    if (i + 1 == length) piece += end_of_word_suffix_;
    if (auto id = Find(piece)) {
      flush_unknown();
      add(*id, char_bytes);
      continue;
    }
    if (byte_fallback_) {
      // Every byte of the decorated piece must exist as <0xNN>; the reference then emits them all, one byte each.
      bool all = std::all_of(piece.begin(), piece.end(),
                             [&](char c) { return byte_ids_[static_cast<uint8_t>(c)].has_value(); });
      if (all) {
        // The reference leaves a pending unknown token pending here: it comes after these bytes, and a later
        // unknown character still fuses into it.
        for (char c : piece) add(*byte_ids_[static_cast<uint8_t>(c)], 1);
        continue;
      }
    }
    if (!unk_token_) continue;  // no unknown token: the reference drops the character
    if (unknown && fuse_unk_) {
      unknown->second += char_bytes;
    } else {
      flush_unknown();
      unknown = std::make_pair(UnknownId(), char_bytes);
    }
  }
  flush_unknown();
  char_starts.push_back(byte_offset);
  if (symbols.empty()) return;
  for (size_t i = 0; i + 1 < symbols.size(); ++i) symbols[i].next = static_cast<int32_t>(i + 1);

  auto consider = [&](int32_t left) {
    if (left < 0) return;
    int32_t right = symbols[left].next;
    if (right < 0) return;
    auto it = merges_.find(PairKey(symbols[left].id, symbols[right].id));
    if (it == merges_.end()) return;
    heap.push_back(Candidate{it->second.rank, static_cast<uint32_t>(left), it->second.new_id});
    std::push_heap(heap.begin(), heap.end(), LaterThan);
  };
  for (size_t i = 0; i + 1 < symbols.size(); ++i) consider(static_cast<int32_t>(i));

  while (!heap.empty()) {
    std::pop_heap(heap.begin(), heap.end(), LaterThan);
    Candidate top = heap.back();
    heap.pop_back();
    Symbol& left = symbols[top.pos];
    if (left.removed || left.next < 0) continue;
    Symbol& right = symbols[left.next];
    // A stale candidate: one of its symbols has merged with something else since it was queued.
    auto it = merges_.find(PairKey(left.id, right.id));
    if (it == merges_.end() || it->second.new_id != top.new_id) continue;
    left.id = top.new_id;
    left.end = right.end;
    left.next = right.next;
    right.removed = true;
    if (left.next >= 0) symbols[left.next].prev = static_cast<int32_t>(top.pos);
    consider(left.prev);
    consider(static_cast<int32_t>(top.pos));
  }

  // Byte spans to code points: a span covers every character one of its bytes falls in. For an ASCII word the
  // two coincide. Spans past the word (byte fallback of a decorated piece) are clamped to it.
  const bool ascii = byte_offset == length;
  auto char_at = [&](uint32_t byte) -> uint32_t {
    if (byte >= byte_offset) return length;
    return static_cast<uint32_t>(std::upper_bound(char_starts.begin(), char_starts.end() - 1, byte) - char_starts.begin()) - 1;
  };
  for (const Symbol& symbol : symbols) {
    if (symbol.removed) continue;
    if (ascii) {
      out.push_back(Token{symbol.id, std::min(symbol.begin, length), std::min(symbol.end, length)});
      continue;
    }
    uint32_t begin = char_at(symbol.begin);
    uint32_t end = symbol.end > symbol.begin ? std::min(char_at(symbol.end - 1) + 1, length) : begin;
    out.push_back(Token{symbol.id, begin, std::max(begin, end)});
  }
}

std::optional<uint32_t> Bpe::TokenToId(const std::string& token) const { return Find(token); }

std::optional<std::string> Bpe::IdToToken(uint32_t id) const {
  if (id >= id_to_token_.size()) return std::nullopt;
  return id_to_token_[id];
}

}  // namespace engine
