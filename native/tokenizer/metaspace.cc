#include "tokenizer/metaspace.h"

#include "tokenizer/unicode.h"

namespace engine {

Metaspace::Metaspace(const JsonReader& config) {
  std::u32string replacement = unicode::DecodeUtf8(config.String("replacement"));
  if (replacement.size() != 1) config.Fail("field \"replacement\" must be exactly one character");
  replacement_ = replacement[0];
  split_ = config.Bool("split", true);
  if (config.Has("prepend_scheme")) {
    std::string scheme = config.String("prepend_scheme");
    if (scheme == "always") prepend_ = Prepend::Always;
    else if (scheme == "first") prepend_ = Prepend::First;
    else if (scheme == "never") prepend_ = Prepend::Never;
    else config.Fail("field \"prepend_scheme\" must be \"always\", \"first\" or \"never\", not \"" + scheme + "\"");
  }
  // Older files carry "add_prefix_space" instead. The reference accepts it beside a scheme only when they agree,
  // and (oddly) counts true as agreeing with every scheme; false with the default scheme "always" is rejected.
  if (config.Has("add_prefix_space") && !config.Bool("add_prefix_space", true) && prepend_ != Prepend::Never) {
    config.Fail("field \"add_prefix_space\" is false but the prepend scheme is not \"never\" (the reference rejects "
                "this file too)");
  }
}

void Metaspace::PreTokenize(std::vector<Split>& splits) const {
  std::vector<Split> out;
  out.reserve(splits.size() * 2);
  const std::u32string prefix(1, replacement_);
  for (auto& split : splits) {
    if (split.resolved) {
      out.push_back(std::move(split));
      continue;
    }
    NormalizedString& text = split.normalized;
    text.Transform([&](char32_t cp, std::u32string& chars) { chars.push_back(cp == U' ' ? replacement_ : cp); });
    bool starts_with_replacement = !text.empty() && text.chars()[0] == replacement_;
    // "first" means the word that starts the input: the reference checks where the word's text came from, so a
    // word whose leading characters a normalizer removed (Strip) is not first.
    bool is_first = !text.empty() && text.origins()[0].begin == 0;
    if (!starts_with_replacement && (prepend_ == Prepend::Always || (prepend_ == Prepend::First && is_first))) {
      text.Prepend(prefix);
    }
    if (!split_) {
      if (!text.empty()) out.push_back(Split{std::move(text), {}, false});
      continue;
    }
    // Cut in front of every replacement character (it begins the next word).
    const auto& chars = text.chars();
    size_t start = 0;
    for (size_t i = 0; i <= chars.size(); ++i) {
      if (i == chars.size() || (chars[i] == replacement_ && i > start)) {
        if (i > start) out.push_back(Split{text.Slice(start, i), {}, false});
        start = i;
      }
    }
  }
  splits = std::move(out);
}

}  // namespace engine
