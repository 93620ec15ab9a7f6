/**
 * Deterministic (seeded) generator of strings that stress a Hugging Face WordPiece pipeline (BertNormalizer,
 * BertPreTokenizer, WordPiece, post-processing): accents and combining marks, CJK, emoji and ZWJ sequences,
 * control and format characters, unusual whitespace, U+FFFD, lone surrogates, words longer than
 * max_input_chars_per_word (100), texts long enough to need truncation, empty and whitespace-only strings,
 * punctuation runs and mixed scripts. The same seed always yields the same strings, so a failure is reproducible.
 */

/** mulberry32: a small, well-distributed 32-bit PRNG. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FRAGMENTS: Record<string, string[]> = {
  ascii: ['the', 'Movie', 'WAS', 'surprisingly', 'good', "isn't", 'unaffable', 'tokenization', 'Hello', 'x', 'I', 'a1b2c3'],
  accents: ['café', 'naïve', 'Ångström', 'São Paulo', 'Straße', 'ÉCOLE', 'jalapeño', 'Dvořák', 'Łódź', 'İstanbul', 'ΟΔΟΣ', 'ǅemal'],
  combining: ['e\u0301', 'a\u0308', 'n\u0303o', 'Z\u0351\u0324\u0353a\u0301\u0300l\u0336go', 'o\u0302\u0323', '\u0301leading', 'x\u20dd', 'क\u094d\u0937'],
  cjk: ['中文', '日本語の文章', '한국어', '機器學習', '𠀀𠀁', '々〆', 'ｶﾀｶﾅ', '全角ＡＢＣ１２３', '〇'],
  emoji: ['😀', '👍🏽', '👨\u200d👩\u200d👧\u200d👦', '🏳\ufe0f\u200d🌈', '🇺🇸🇫🇷', '1\ufe0f\u20e3', '❤\ufe0f', '🧑\u200d💻', '🫠'],
  control: ['\u0000', '\u0001', '\u0007', '\u001b[31m', '\u007f', '\u0085', '\u009f', '\b'],
  format: ['\u00ad', '\u200b', '\u200c', '\u200d', '\u2060', '\ufeff', '\u202e', '\u061c', '\u2066'],
  whitespace: ['\t', '\n', '\r\n', '\r', '\u00a0', '\u2003', '\u3000', '\u2028', '\u2029', '\u1680', '\u000b', '\u000c', '  '],
  replacement: ['\ufffd', 'a\ufffdb', '\ufffd\ufffd'],
  surrogates: ['\ud800', '\udfff', 'x\udc00y', '\udc00\ud800', '\ud83d'],
  punctuation: ['!!!???', '...', '—–-', '«»', '¿¡', '$%^&*', '`~', '@#', '、。', '‼', '©®™', '(((', '"\'"', '…', '§¶', '+=<>|\\/'],
  numbers: ['3.14159', '1,000,000', '٣٤٥', '१२३', '½', '²', '1st', '0x1F'],
  mixed: ['Hello世界', 'مرحبا123', 'שלום!', 'Привет,мир', 'नमस्ते', 'สวัสดีครับ', 'Ελληνικά', 'ʃɪp', 'abcабв'],
  special: ['[CLS]', '[SEP]', '[UNK]', '[MASK]', '[PAD]', '[cls]', '##ing', '<s>', '</s>'],
};

const SEPARATORS = [' ', ' ', ' ', '', '\t', '\n', '  ', ', ', '\u00a0', '-'];

function pick<T>(rnd: () => number, xs: readonly T[]): T {
  return xs[Math.floor(rnd() * xs.length)];
}

/** Hand-written edge cases, always included before the generated ones. */
export function fixedTrickyStrings(): string[] {
  const long = 'a'.repeat(100);
  return [
    '',
    ' ',
    '   ',
    '\t\n\r ',
    '\u3000\u00a0\u2003',
    '\u200b',
    '\u0000',
    '\ufffd',
    '\ud800',
    'lone \udbff surrogate',
    '.',
    '!?!?!?!?',
    '[CLS] [SEP] [MASK]',
    // max_input_chars_per_word is 100 code points: 100 stays a word (split into pieces), 101 becomes [UNK].
    long,
    long + 'a',
    'x ' + long + 'b y',
    'é'.repeat(100),
    'é'.repeat(101),
    'É'.repeat(60), // 120 UTF-8 bytes but 60 code points
    '😀'.repeat(100),
    '😀'.repeat(101),
    'ab'.repeat(150),
    'supercalifragilisticexpialidocious',
    'pneumonoultramicroscopicsilicovolcanoconiosis'.repeat(3),
    '中'.repeat(300),
    'e\u0301'.repeat(101),
    'İ' + 'i'.repeat(99), // lowercase İ expands to two code points
    'Family: 👨\u200d👩\u200d👧\u200d👦, flag: 🏳\ufe0f\u200d🌈',
    'tab\tseparated\tvalues\nand\r\nnewlines',
    'soft\u00adhyphen and zero\u200bwidth and bom\ufeff',
    'control\u0001\u0002\u0003chars',
    'café vs cafe\u0301',
    'ΣΊΣΥΦΟΣ ΟΔΟΣ',
    'Ǆ ǅ ǆ ß ẞ ﬁ ﬃ',
    'mixed 中文 English 日本語 한국어 عربى עברית हिन्दी ไทย',
    // Long texts: need truncation where the tokenizer file configures it (all-MiniLM-L6-v2: 128).
    Array.from({ length: 80 }, (_, i) => `word${i} is here,`).join(' '),
    'The quick brown fox jumps over the lazy dog. '.repeat(60),
  ];
}

/**
 * `count` generated strings: each joins 0..14 fragments from random categories with random separators, sometimes
 * glues fragments without a space, and sometimes appends a long word or a long run of text.
 */
export function generatedTrickyStrings(seed: number, count: number): string[] {
  const rnd = seededRandom(seed);
  const categories = Object.keys(FRAGMENTS);
  const out: string[] = [];
  for (let n = 0; n < count; n++) {
    const parts: string[] = [];
    const len = Math.floor(rnd() * 15);
    for (let i = 0; i < len; i++) {
      parts.push(pick(rnd, FRAGMENTS[pick(rnd, categories)]));
      if (i < len - 1) parts.push(pick(rnd, SEPARATORS));
    }
    const r = rnd();
    if (r < 0.08) {
      // a long word just around the 100 code point limit
      const unit = pick(rnd, ['a', 'é', 'ab', 'x1', '😀', '中', 'e\u0301']);
      const target = 95 + Math.floor(rnd() * 12);
      let w = '';
      while (Array.from(w).length < target) w += unit;
      parts.push(' ', w);
    } else if (r < 0.12) {
      // a long text
      const reps = 50 + Math.floor(rnd() * 100);
      for (let i = 0; i < reps; i++) parts.push(pick(rnd, FRAGMENTS[pick(rnd, categories)]), ' ');
    }
    out.push(parts.join(''));
  }
  return out;
}

/** Pairs of strings: consecutive items of `texts`, plus some with an empty side. */
export function makePairs(texts: string[], seed: number, count: number): Array<[string, string]> {
  const rnd = seededRandom(seed);
  const pairs: Array<[string, string]> = [
    ['', ''],
    ['', 'only the second'],
    ['only the first', ''],
    [' ', '\t'],
    ['How old are you?', "I'm 6 years old"],
  ];
  while (pairs.length < count) {
    pairs.push([pick(rnd, texts), pick(rnd, texts)]);
  }
  return pairs;
}
