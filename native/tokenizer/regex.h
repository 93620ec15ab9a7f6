// Regular expressions for tokenizer.json patterns (ByteLevel, Split, Replace, Whitespace), compiled with
// Oniguruma: the engine Hugging Face tokenizers itself uses, with the same default syntax, so patterns such as
// `\p{L}`, `\s+(?!\S)` or `'s|'t|'re` mean exactly what they mean there.
//
// Patterns run over the tokenizer's UTF-32 text directly, so match positions are code-point indices.
// A compiled Regex is immutable and safe to search from several threads at once.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace engine {

class Regex {
 public:
  // Compiles a UTF-8 pattern. Throws TOKENIZER_INVALID with Oniguruma's message when it does not compile.
  explicit Regex(const std::string& pattern);
  ~Regex();
  Regex(const Regex&) = delete;
  Regex& operator=(const Regex&) = delete;

  const std::string& pattern() const { return pattern_; }

  // Every non-overlapping match [begin, end) in code points, left to right, as Rust's onig `find_iter` yields
  // them: an empty match right where the previous match ended is skipped.
  std::vector<std::pair<size_t, size_t>> FindAll(const std::u32string& text) const;

 private:
  std::string pattern_;
  void* regex_ = nullptr;  // OnigRegex; kept opaque so oniguruma.h stays out of every includer
};

}  // namespace engine
