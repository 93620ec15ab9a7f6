// BPE (byte-pair encoding; GPT-2, RoBERTa, and classic subword BPE): a word starts as one symbol per code point
// and the ranked merges are applied, lowest rank first and leftmost first among equals, until none applies.
//
// Options, as tokenizer.json's BPE model spells them:
// - continuing_subword_prefix / end_of_word_suffix: decorate every non-initial / the final character symbol;
// - unk_token (+ fuse_unk): characters missing from the vocabulary become the unknown token (consecutive ones
//   fused into one when fuse_unk), or are dropped when there is no unk_token, as the reference does;
// - byte_fallback: a missing character becomes its UTF-8 bytes as <0xNN> tokens when they are all in the vocabulary;
// - ignore_merges: a word that is itself in the vocabulary is emitted whole;
// - dropout: null or 0 only. A positive dropout makes the reference random, so it cannot be reproduced and is
//   rejected with TOKENIZER_UNSUPPORTED.
//
// Tokenize is thread-safe: the model is immutable except for a bounded, sharded per-word cache.
#pragma once

#include <array>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "tokenizer/model.h"

namespace engine {

class Bpe final : public Model {
 public:
  explicit Bpe(const JsonReader& config);

  void Tokenize(const std::u32string& word, std::vector<Token>& out) const override;
  std::optional<uint32_t> TokenToId(const std::string& token) const override;
  std::optional<std::string> IdToToken(uint32_t id) const override;
  size_t VocabSize() const override { return token_to_id_.size(); }
  std::optional<uint32_t> UnknownTokenId() const override { return unk_token_ ? Find(*unk_token_) : std::nullopt; }

 private:
  struct Merge {
    uint32_t rank;
    uint32_t new_id;
  };

  // Words already tokenized, with their tokens (spans relative to the word). Sharded so that threads rarely
  // wait on each other; a full shard is emptied, which bounds memory whatever the traffic.
  class WordCache {
   public:
    bool Find(const std::u32string& word, std::vector<Token>& out) const;
    void Insert(const std::u32string& word, const Token* begin, const Token* end) const;

   private:
    static constexpr size_t kShards = 16;
    static constexpr size_t kEntriesPerShard = 4096;
    struct Shard {
      std::mutex mutex;
      std::unordered_map<std::u32string, std::vector<Token>> words;
    };
    mutable std::array<Shard, kShards> shards_;
  };

  static uint64_t PairKey(uint32_t left, uint32_t right) { return (uint64_t{left} << 32) | right; }
  void ReadMerges(const JsonReader& config);
  void AddMerge(const JsonReader& config, const std::string& left, const std::string& right, uint32_t rank);
  std::optional<uint32_t> Find(const std::string& token) const;
  // The merge loop on one word, appending its tokens to `out`.
  void MergeWord(const std::u32string& word, std::vector<Token>& out) const;
  uint32_t UnknownId() const;

  std::unordered_map<std::string, uint32_t> token_to_id_;
  std::vector<std::string> id_to_token_;
  std::unordered_map<uint64_t, Merge> merges_;
  std::optional<std::string> unk_token_;
  std::string continuing_subword_prefix_;
  std::string end_of_word_suffix_;
  bool fuse_unk_ = false;
  bool byte_fallback_ = false;
  bool ignore_merges_ = false;
  // <0xNN> ids for byte_fallback; nullopt where the vocabulary lacks the byte.
  std::array<std::optional<uint32_t>, 256> byte_ids_{};
  WordCache cache_;
};

}  // namespace engine
