#include "tokenizer/unicode_normalization.h"

#include <utf8proc.h>

#include <vector>

#include "tokenizer/unicode.h"

namespace engine {

namespace {

using Change = NormalizedString::Change;

// Hangul syllable arithmetic (Unicode chapter 3.12): an algorithm, not character data.
constexpr char32_t kSBase = 0xAC00, kLBase = 0x1100, kVBase = 0x1161, kTBase = 0x11A7;
constexpr char32_t kLCount = 19, kVCount = 21, kTCount = 28, kNCount = kVCount * kTCount, kSCount = kLCount * kNCount;

// The primary composite of `starter` + `next`, or 0 when they do not compose.
char32_t Compose(char32_t starter, char32_t next) {
  if (next < 0x300) return 0;  // no composition has a second code point below U+0300
  if (starter >= kLBase && starter < kLBase + kLCount && next >= kVBase && next < kVBase + kVCount) {
    return kSBase + ((starter - kLBase) * kVCount + (next - kVBase)) * kTCount;
  }
  if (starter >= kSBase && starter < kSBase + kSCount && (starter - kSBase) % kTCount == 0 && next > kTBase &&
      next < kTBase + kTCount) {
    return starter + (next - kTBase);
  }
  if (!unicode::InNormalizationTables(starter) || !unicode::InNormalizationTables(next)) return 0;
  utf8proc_int32_t pair[2] = {static_cast<utf8proc_int32_t>(starter), static_cast<utf8proc_int32_t>(next)};
  utf8proc_ssize_t length = utf8proc_normalize_utf32(pair, 2, static_cast<utf8proc_option_t>(UTF8PROC_COMPOSE));
  if (length != 1) return 0;
  auto composite = static_cast<char32_t>(pair[0]);
  return unicode::InNormalizationTables(composite) ? composite : 0;
}

void Decompose(char32_t cp, bool compat, std::vector<Change>& out) {
  if (cp < 0xA0 || !unicode::InNormalizationTables(cp)) {  // nothing below U+00A0 decomposes, even by compatibility
    out.push_back(Change{cp, 0});
    return;
  }
  utf8proc_int32_t buffer[32];  // the longest decomposition (U+FDFA) has 18 code points
  int last_boundclass = 0;
  auto options = static_cast<utf8proc_option_t>(UTF8PROC_DECOMPOSE | (compat ? UTF8PROC_COMPAT : 0));
  utf8proc_ssize_t count =
      utf8proc_decompose_char(static_cast<utf8proc_int32_t>(cp), buffer, 32, options, &last_boundclass);
  if (count <= 0 || count > 32) {
    out.push_back(Change{cp, 0});
    return;
  }
  for (utf8proc_ssize_t i = 0; i < count; ++i) out.push_back(Change{static_cast<char32_t>(buffer[i]), i == 0 ? 0 : 1});
}

int Ccc(char32_t cp) { return unicode::InNormalizationTables(cp) ? unicode::CombiningClass(cp) : 0; }

// Canonical ordering: a stable sort of each run of non-starters by combining class; changes move with their code
// points (measured: NFD of "\u00EA\u0323" reports the spans (0,1) (1,2) (1,2)).
void Reorder(std::vector<Change>& text) {
  size_t i = 0;
  while (i < text.size()) {
    if (Ccc(text[i].cp) == 0) {
      ++i;
      continue;
    }
    size_t run_end = i;
    while (run_end < text.size() && Ccc(text[run_end].cp) != 0) ++run_end;
    for (size_t j = i + 1; j < run_end; ++j) {  // insertion sort: runs are a handful of marks
      Change moving = text[j];
      int cls = Ccc(moving.cp);
      size_t k = j;
      while (k > i && Ccc(text[k - 1].cp) > cls) {
        text[k] = text[k - 1];
        --k;
      }
      text[k] = moving;
    }
    i = run_end;
  }
}

// Canonical composition (UAX #15): each code point joins the last starter unless blocked. A composite keeps the
// starter's place, and its change absorbs the swallowed code point's (change + change - 1).
void ComposeAll(std::vector<Change>& text) {
  if (text.empty()) return;
  size_t out = 0;
  size_t starter = SIZE_MAX;
  int last_class = -1;  // class of the last code point kept after the starter (-1: none)
  for (size_t i = 0; i < text.size(); ++i) {
    Change c = text[i];
    int cls = Ccc(c.cp);
    if (starter != SIZE_MAX) {
      bool blocked = last_class != -1 && (last_class == 0 || last_class >= cls);
      if (!blocked) {
        if (char32_t composite = Compose(text[starter].cp, c.cp)) {
          text[starter].cp = composite;
          text[starter].change += c.change - 1;
          continue;
        }
      }
    }
    if (cls == 0) {
      starter = out;
      last_class = -1;
    } else {
      last_class = cls;
    }
    text[out++] = c;
  }
  text.resize(out);
}

}  // namespace

void UnicodeNormalize(NormalizedString& text, NormalizationForm form) {
  const std::u32string& chars = text.chars();
  bool simple = true;  // nothing below U+00A0 changes under any form, and ASCII-only text is common
  for (char32_t cp : chars) {
    if (cp >= 0xA0) {
      simple = false;
      break;
    }
  }
  if (simple) return;
  bool compat = form == NormalizationForm::Nfkd || form == NormalizationForm::Nfkc;
  std::vector<Change> changes;
  changes.reserve(chars.size() + 8);
  for (char32_t cp : chars) Decompose(cp, compat, changes);
  Reorder(changes);
  if (form == NormalizationForm::Nfc || form == NormalizationForm::Nfkc) ComposeAll(changes);
  bool same = changes.size() == chars.size();
  for (size_t i = 0; same && i < changes.size(); ++i) same = changes[i].cp == chars[i] && changes[i].change == 0;
  if (!same) text.ApplyChanges(changes);
}

}  // namespace engine
