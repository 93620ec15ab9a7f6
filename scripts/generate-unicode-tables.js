'use strict';
/**
 * Generates native/tokenizer's versioned Unicode tables at build time, from Debian's Unicode Character Database
 * (deps/unicode/UnicodeData.txt + DerivedAge.txt), into the git-ignored build/generated/unicode_tables.h.
 *
 * Why versioned tables: Hugging Face tokenizers does not use one Unicode version. Its BERT predicates
 * (is_punctuation, is_mark_nonspacing, is_other) come from the `unicode_categories` crate, whose tables are
 * Unicode 8.0, and its NFD comes from `unicode-normalization-alignments`, whose decomposition and combining-class
 * tables are Unicode 9.0 (both measured against the `tokenizers` package: a Po or Mn character assigned in 9.0
 * is not punctuation / not stripped; a mark assigned in 10.0 keeps combining class 0 and is never reordered;
 * U+11938, decomposable since 13.0, is left whole). utf8proc carries the build's current Unicode, so the
 * tokenizer restricts utf8proc's answers with these tables.
 *
 * Run by scripts/build-native.js before cmake-js, and by binding.gyp through `<!(node ...)`, which also reads
 * the include directory this prints.
 */
const fs = require('node:fs');
const path = require('node:path');

const { ROOT, DEPS_DIR } = require('./native-paths');

/** The Unicode version of the `unicode_categories` crate's tables. */
const CATEGORIES_VERSION = '8.0';
/** The Unicode version of the `unicode-normalization-alignments` crate's tables. */
const NORMALIZATION_VERSION = '9.0';

/**
 * General categories as they were in Unicode 8.0 for the characters whose category changed since. The build's UCD
 * only carries today's categories and no older UCD is available at build time, so this short list records the
 * differences the exhaustive parity test (test/native/tokenizer-unicode.spec.ts) measured against the reference;
 * each matches the Unicode change history noted beside it.
 */
const CATEGORY_IN_8_0 = {
  0x166d: 'Po', // CANADIAN SYLLABICS CHI SIGN: Po → So in 12.0
  0x1734: 'Mn', // HANUNOO SIGN PAMUDPOD: Mn → Mc in 14.0
  0x1885: 'Lo', // MONGOLIAN LETTER ALI GALI BALUDA: Lo → Mn in 9.0
  0x1886: 'Lo', // MONGOLIAN LETTER ALI GALI THREE BALUDA: Lo → Mn in 9.0
  0xa9bd: 'Mc', // JAVANESE CONSONANT SIGN KERET: Mc → Mn in 12.0
  0x111c9: 'Po', // SHARADA SANDHI MARK: Po → Mn in 11.0
};

const OUT_DIR = path.join(ROOT, 'build', 'generated');
const OUT_FILE = path.join(OUT_DIR, 'unicode_tables.h');

function versionNumber(v) {
  const [major, minor] = v.split('.').map(Number);
  return major * 100 + minor;
}

function readLines(file) {
  const p = path.join(DEPS_DIR, 'unicode', file);
  if (!fs.existsSync(p)) throw new Error(`${p} is missing: run \`node scripts/native-deps.js\` first`);
  return fs.readFileSync(p, 'utf8').split('\n');
}

/** Per code point: the Unicode version that assigned it (as a number), 0 when unassigned. */
function readAges() {
  const ages = new Uint16Array(0x110000);
  for (const line of readLines('DerivedAge.txt')) {
    const m = /^([0-9A-F]+)(?:\.\.([0-9A-F]+))?\s*;\s*([0-9]+\.[0-9]+)/.exec(line);
    if (!m) continue;
    const first = parseInt(m[1], 16);
    const last = m[2] ? parseInt(m[2], 16) : first;
    ages.fill(versionNumber(m[3]), first, last + 1);
  }
  return ages;
}

/** Per code point: general category, canonical combining class and whether it has a canonical decomposition. */
function readUnicodeData() {
  const category = new Array(0x110000).fill('Cn');
  const combining = new Uint8Array(0x110000);
  const decomposes = new Uint8Array(0x110000);
  let rangeStart = null;
  for (const line of readLines('UnicodeData.txt')) {
    const f = line.split(';');
    if (f.length < 15) continue;
    const cp = parseInt(f[0], 16);
    // Large blocks (CJK, Hangul, private use, ...) are given as a "<Name, First>" / "<Name, Last>" pair.
    if (f[1].endsWith(', First>')) {
      rangeStart = cp;
      continue;
    }
    const first = f[1].endsWith(', Last>') ? rangeStart : cp;
    for (let c = first; c <= cp; c++) {
      category[c] = f[2];
      combining[c] = Number(f[3]);
      // A canonical decomposition has no "<tag>" (tags mark compatibility decompositions).
      decomposes[c] = f[5] !== '' && !f[5].startsWith('<') ? 1 : 0;
    }
  }
  return { category, combining, decomposes };
}

/** Collapses a predicate over all code points into [first, last] ranges. */
function ranges(predicate) {
  const out = [];
  for (let c = 0; c < 0x110000; c++) {
    if (!predicate(c)) continue;
    const last = out[out.length - 1];
    if (last && last[1] === c - 1) last[1] = c;
    else out.push([c, c]);
  }
  return out;
}

function cppTable(name, comment, table) {
  const hex = (c) => `0x${c.toString(16).toUpperCase()}`;
  const rows = [];
  for (let i = 0; i < table.length; i += 6) {
    rows.push('    ' + table.slice(i, i + 6).map(([a, b]) => `{${hex(a)}, ${hex(b)}}`).join(', ') + ',');
  }
  return `// ${comment} (${table.length} ranges)\ninline constexpr CodePointRange ${name}[] = {\n${rows.join('\n')}\n};\n`;
}

function generate() {
  const ages = readAges();
  const { category, combining, decomposes } = readUnicodeData();
  const categoriesMax = versionNumber(CATEGORIES_VERSION);
  const normalizationMax = versionNumber(NORMALIZATION_VERSION);
  const assignedBy = (c, max) => ages[c] !== 0 && ages[c] <= max;
  const category8 = (c) => CATEGORY_IN_8_0[c] ?? category[c];
  const tables = [
    cppTable(
      'kPunctuation',
      `General category P* (Pc Pd Ps Pe Pi Pf Po), assigned by Unicode ${CATEGORIES_VERSION}`,
      ranges((c) => category8(c)[0] === 'P' && assignedBy(c, categoriesMax)),
    ),
    cppTable(
      'kMarkNonspacing',
      `General category Mn, assigned by Unicode ${CATEGORIES_VERSION}`,
      ranges((c) => category8(c) === 'Mn' && assignedBy(c, categoriesMax)),
    ),
    cppTable(
      'kOther',
      `General categories Cc Cf Co Cs, assigned by Unicode ${CATEGORIES_VERSION}`,
      ranges((c) => ['Cc', 'Cf', 'Co', 'Cs'].includes(category8(c)) && assignedBy(c, categoriesMax)),
    ),
    cppTable(
      'kNormalizationTooNew',
      `Characters with a canonical decomposition or a non-zero combining class, assigned after Unicode ${NORMALIZATION_VERSION}`,
      ranges((c) => (decomposes[c] || combining[c] !== 0) && ages[c] > normalizationMax),
    ),
  ];
  const header =
    '// GENERATED by scripts/generate-unicode-tables.js from deps/unicode (UnicodeData.txt, DerivedAge.txt).\n' +
    '// Do not edit; do not commit. Sorted, non-overlapping, inclusive ranges.\n' +
    '#pragma once\n\n' +
    'namespace engine::unicode::tables {\n\n' +
    'struct CodePointRange {\n  char32_t first;\n  char32_t last;\n};\n\n' +
    tables.join('\n') +
    '\n}  // namespace engine::unicode::tables\n';
  fs.mkdirSync(OUT_DIR, { recursive: true });
  // Rewrite only on change, so an unchanged table does not recompile unicode.cc.
  if (!fs.existsSync(OUT_FILE) || fs.readFileSync(OUT_FILE, 'utf8') !== header) fs.writeFileSync(OUT_FILE, header);
  return OUT_DIR;
}

module.exports = { generateUnicodeTables: generate, GENERATED_DIR: OUT_DIR };

if (require.main === module) process.stdout.write(generate());
