/**
 * Parity of the SentencePiece / Unigram family with Hugging Face `tokenizers` (the reference): the Unigram and
 * WordLevel models, the Metaspace pre-tokenizer and the normalizers NFD/NFC/NFKD/NFKC, Strip, Replace, Prepend,
 * Precompiled and Sequence. Every field of every encoding (ids, type ids, masks, offsets, tokens) must match.
 *
 * t5-small (realdata) runs on SST-2, the multilingual inputs (also against the ids `transformers` published),
 * tricky strings and random code points, single texts and pairs, with and without special tokens. The other
 * tokenizer files are written here and loaded by BOTH implementations from the same path, one per behaviour.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Tokenizer as HfTokenizer } from 'tokenizers';
import { Tokenizer } from '../../lib';
import type { EncodeInput } from '../../lib';
import { fromNative, fromReference, mismatchReport, RefEncoding } from './encoding-compare';
import { isError, multilingualInputs, realdata, realdataJson, sst2Sentences } from './realdata';
import { randomCodePointStrings } from './random-code-points';
import { fixedTrickyStrings, generatedTrickyStrings, makePairs } from './tricky-strings';

const SEED = 20240611;

type Ref = InstanceType<typeof HfTokenizer>;

async function refEncode(ref: Ref, input: EncodeInput, addSpecialTokens: boolean): Promise<RefEncoding> {
  const [a, b] = typeof input === 'string' ? [input, null] : input;
  return (await ref.encode(a, b, { addSpecialTokens })) as unknown as RefEncoding;
}

/** '' when the native tokenizer matches the reference on every input, else a report of the differences. */
async function compare(what: string, ref: Ref, native: Tokenizer, inputs: EncodeInput[], addSpecialTokens: boolean) {
  const expected = (await Promise.all(inputs.map((i) => refEncode(ref, i, addSpecialTokens)))).map(fromReference);
  const actual = (await native.encodeBatch(inputs, { addSpecialTokens })).map(fromNative);
  return mismatchReport(what, inputs, actual, expected);
}

describe('t5-small (Precompiled charsmap, WhitespaceSplit + legacy Metaspace, Unigram, TemplateProcessing)', () => {
  let ref: Ref;
  let native: Tokenizer;
  const corpora: Record<string, string[]> = {};
  const pairs: Record<string, Array<[string, string]>> = {};

  beforeAll(async () => {
    const file = realdata('tokenizers', 't5-small', 'tokenizer.json');
    ref = HfTokenizer.fromFile(file);
    native = await Tokenizer.fromFile(file);
    const sst = sst2Sentences();
    const multi = multilingualInputs().map((i) => i.text);
    const tricky = [...fixedTrickyStrings(), ...generatedTrickyStrings(SEED, 300)];
    corpora['SST-2 dev'] = sst;
    corpora['multilingual inputs'] = multi;
    corpora['tricky strings'] = tricky;
    corpora['random code points'] = randomCodePointStrings(SEED, 300);
    corpora['long texts'] = [
      'The quick brown fox jumps over the lazy dog. '.repeat(2300).slice(0, 100000),
      Array.from({ length: 100000 }, (_, i) => String.fromCodePoint(0x4e00 + ((i * 7919) % 20000))).join(''),
      'x'.repeat(5000),
    ];
    const sstPairs: Array<[string, string]> = [];
    for (let i = 0; i + 1 < sst.length; i += 2) sstPairs.push([sst[i], sst[i + 1]]);
    pairs['SST-2 dev'] = sstPairs;
    pairs['multilingual inputs'] = multi.map((t, i) => [t, multi[(i + 5) % multi.length]] as [string, string]);
    pairs['tricky strings'] = makePairs(tricky, SEED + 1, 200);
  });

  for (const corpus of ['SST-2 dev', 'multilingual inputs', 'tricky strings', 'random code points', 'long texts']) {
    for (const addSpecialTokens of [true, false]) {
      test(`single texts, ${corpus}, addSpecialTokens=${addSpecialTokens}`, async () => {
        expect(await compare(`t5-small ${corpus}`, ref, native, corpora[corpus], addSpecialTokens)).toBe('');
      });
    }
  }
  for (const corpus of ['SST-2 dev', 'multilingual inputs', 'tricky strings']) {
    for (const addSpecialTokens of [true, false]) {
      test(`pairs, ${corpus}, addSpecialTokens=${addSpecialTokens}`, async () => {
        expect(await compare(`t5-small pairs ${corpus}`, ref, native, pairs[corpus], addSpecialTokens)).toBe('');
      });
    }
  }

  test('the multilingual inputs encode to the ids and tokens transformers published for google-t5/t5-small', async () => {
    const published = realdataJson<{ entries: Record<string, { input_ids: number[]; tokens: string[] }> }>(
      'expected',
      'multilingual',
      'google-t5__t5-small.json',
    ).entries;
    const inputs = multilingualInputs();
    expect(inputs.every((i) => published[i.id] !== undefined)).toBe(true);
    const encodings = await native.encodeBatch(inputs.map((i) => i.text));
    // transformers spells tokens through the vocabulary, so an unknown token appears there as "<unk>", where the
    // `tokenizers` encoding (and this engine, matching it) reports the text it covers.
    const wrong = inputs.filter((input, k) => {
      const e = encodings[k];
      const tokens = e.tokens.map((t, j) => (e.ids[j] === 2 ? '<unk>' : t));
      return (
        JSON.stringify(Array.from(e.ids)) !== JSON.stringify(published[input.id].input_ids) ||
        JSON.stringify(tokens) !== JSON.stringify(published[input.id].tokens)
      );
    });
    expect(wrong.map((i) => i.id)).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Tokenizer files written here, each loaded by both implementations from the same path.

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tokenizer-unigram-'));
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

let fileCount = 0;
function writeTokenizer(parts: { normalizer?: unknown; pre_tokenizer?: unknown; model: unknown; post_processor?: unknown; added_tokens?: unknown[] }): string {
  const file = path.join(dir, `tokenizer-${fileCount++}.json`);
  const json = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: parts.added_tokens ?? [],
    normalizer: parts.normalizer ?? null,
    pre_tokenizer: parts.pre_tokenizer ?? null,
    post_processor: parts.post_processor ?? null,
    decoder: null,
    model: parts.model,
  };
  fs.writeFileSync(file, JSON.stringify(json));
  return file;
}

/**
 * A Unigram vocabulary where most characters of the test strings are single pieces (so offsets are checked code
 * point by code point) with a few longer pieces competing for the same text, plus <0xXX> byte pieces when asked.
 */
function unigramVocab(withBytes: boolean): Array<[string, number]> {
  const vocab: Array<[string, number]> = [['<unk>', 0], ['</s>', 0]];
  const singles = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.,!?\'"-_▁éèüßøñçÅ中文日本語한국어ﬁ½⁄ḍạệ\u0301\u0323\u0302';
  let score = -2;
  for (const ch of Array.from(singles)) vocab.push([ch, (score -= 0.01)]);
  const longer = ['▁the', '▁a', 'th', 'he', 'the', 'in', 'ing', '▁th', 'er', '▁w', 'or', 'ld', 'wor', 'world', '▁hello', 'hello', 'ab', 'abc', 'bc', 'a▁', 'café', 'e\u0301', '中文', '日本'];
  longer.forEach((p, i) => vocab.push([p, -3 - (i % 5) * 0.5]));
  // Equal scores on competing segmentations exercise the tie-breaking: "xy" + "z" and "x" + "yz" both cost -6.
  vocab.push(['x', -3], ['y', -3], ['z', -3], ['xy', -3], ['yz', -3]);
  if (withBytes) {
    for (let b = 0; b < 256; b++) vocab.push([`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`, -8]);
  }
  return vocab;
}

const METASPACE = { type: 'Metaspace', replacement: '▁', prepend_scheme: 'always', split: true };

/** Short inputs that exercise normalization, whitespace and unknown characters. */
function componentInputs(): string[] {
  return [
    ...fixedTrickyStrings().filter((s) => Array.from(s).length < 400),
    ...generatedTrickyStrings(SEED + 2, 150),
    ...randomCodePointStrings(SEED + 3, 100, 20),
    'hello world', '  hello   world  ', 'the theing world', 'xyz xyzxyz', 'café cafe\u0301 CAFÉ', 'ﬁx ½ ⅻ ㎏ ｶﾞ',
    'e\u0302\u0323 e\u0323\u0302 \u00ea\u0323 a\u0316\u0301 a\u0315\u0301 \u0f74\u0f73 \u1100\u1161\u11a8 각',
    'Ω Å K ﬀ ẛ\u0323 ǅ ① ⁵ ℌ', '中文 日本語 한국어 ไทย', 'abc\u200babc\u00adabc', 'a  b\tc\nd',
  ];
}

async function expectParity(what: string, file: string, inputs: string[] = componentInputs()) {
  const ref = HfTokenizer.fromFile(file);
  const native = await Tokenizer.fromFile(file);
  const pairInputs = makePairs(inputs, SEED + 4, 40);
  for (const addSpecialTokens of [true, false]) {
    expect(await compare(what, ref, native, inputs, addSpecialTokens)).toBe('');
    expect(await compare(`${what} (pairs)`, ref, native, pairInputs, addSpecialTokens)).toBe('');
  }
}

describe('Unigram model', () => {
  test('Viterbi segmentation, tie-breaking, fused unknown characters and their text as the token string', async () => {
    await expectParity(
      'Unigram',
      writeTokenizer({ model: { type: 'Unigram', unk_id: 0, vocab: unigramVocab(false) }, pre_tokenizer: METASPACE }),
    );
  });

  test('without "type" (as hub files are written) it is recognised by its vocab of [piece, score]', async () => {
    await expectParity(
      'Unigram without type',
      writeTokenizer({ model: { unk_id: 0, vocab: unigramVocab(false) }, pre_tokenizer: { type: 'WhitespaceSplit' } }),
    );
  });

  test('byte_fallback spells unknown text as <0xXX> pieces, each with the span of the whole unknown text', async () => {
    await expectParity(
      'Unigram byte_fallback',
      writeTokenizer({ model: { type: 'Unigram', unk_id: 0, vocab: unigramVocab(true), byte_fallback: true }, pre_tokenizer: METASPACE }),
    );
  });

  test('byte_fallback with some byte pieces missing falls back to the unknown piece', async () => {
    const vocab = unigramVocab(true).filter(([p]) => !/^<0x(E|F)/.test(p));
    await expectParity(
      'Unigram partial byte_fallback',
      writeTokenizer({ model: { type: 'Unigram', unk_id: 0, vocab, byte_fallback: true }, pre_tokenizer: METASPACE }),
    );
  });

  test('with unk_id null, text the vocabulary covers encodes and an unknown character is refused by both', async () => {
    const file = writeTokenizer({ model: { type: 'Unigram', unk_id: null, vocab: unigramVocab(false) }, pre_tokenizer: METASPACE });
    const ref = HfTokenizer.fromFile(file);
    const native = await Tokenizer.fromFile(file);
    const covered: EncodeInput[] = ['hello world', 'the xyz', 'abc abc', '', ['hello', 'world xyz']];
    for (const addSpecialTokens of [true, false]) {
      expect(await compare('Unigram without unk_id', ref, native, covered, addSpecialTokens)).toBe('');
    }
    await expect(ref.encode('hello ☃', null)).rejects.toThrow();
    const error = await native.encode('hello ☃').catch((e: unknown) => e);
    expect(isError(error) && error.code).toBe('INVALID_ARGUMENT');
  });

  test('an invalid unk_id names the field', async () => {
    const file = writeTokenizer({ model: { type: 'Unigram', unk_id: 10000, vocab: unigramVocab(false) } });
    const error = await Tokenizer.fromFile(file).catch((e: unknown) => e);
    expect(isError(error) && error.code).toBe('TOKENIZER_INVALID');
    expect(String((error as Error).message)).toMatch(/unk_id/);
  });
});

describe('WordLevel model', () => {
  const vocab: Record<string, number> = { '[UNK]': 0, hello: 1, world: 2, 'café': 3, ',': 4, '!': 5, '中文': 6, the: 7 };

  test('known words map to their ids and unknown words to unk_token', async () => {
    await expectParity(
      'WordLevel',
      writeTokenizer({ model: { type: 'WordLevel', vocab, unk_token: '[UNK]' }, pre_tokenizer: { type: 'WhitespaceSplit' } }),
    );
  });

  test('without "type" it is recognised by its vocab object', async () => {
    await expectParity(
      'WordLevel without type',
      writeTokenizer({ model: { vocab, unk_token: '[UNK]' }, pre_tokenizer: { type: 'BertPreTokenizer' } }),
    );
  });
});

describe('Metaspace pre-tokenizer', () => {
  const model = { type: 'Unigram', unk_id: 0, vocab: unigramVocab(false) };
  const added = [{ id: 1, content: '</s>', special: true, normalized: false, single_word: false, lstrip: false, rstrip: false }];
  const cases: Array<[string, Record<string, unknown>]> = [];
  for (const prepend_scheme of ['always', 'first', 'never']) {
    for (const split of [true, false]) cases.push([`prepend_scheme ${prepend_scheme}, split ${split}`, { prepend_scheme, split }]);
  }
  cases.push(['legacy add_prefix_space true', { add_prefix_space: true }]);
  cases.push(['add_prefix_space false with prepend_scheme never', { add_prefix_space: false, prepend_scheme: 'never' }]);
  cases.push(['replacement "_"', { replacement: '_', prepend_scheme: 'first' }]);

  test.each(cases)('%s', async (label, options) => {
    // Strip in front shows that "first" is about where the word came from, not about being the first word.
    for (const normalizer of [null, { type: 'Strip', strip_left: true, strip_right: false }]) {
      const file = writeTokenizer({
        normalizer,
        pre_tokenizer: { type: 'Metaspace', replacement: '▁', ...options },
        model,
        added_tokens: added,
      });
      await expectParity(`Metaspace ${label} (normalizer ${JSON.stringify(normalizer)})`, file, [
        ...componentInputs(),
        '</s>hello world',
        'hello</s> world</s>',
        '▁hello ▁ world',
        '  ',
      ]);
    }
  });

  test('add_prefix_space false with the default scheme is rejected, as the reference rejects it', async () => {
    const file = writeTokenizer({ pre_tokenizer: { type: 'Metaspace', replacement: '▁', add_prefix_space: false }, model });
    expect(() => HfTokenizer.fromFile(file)).toThrow();
    const error = await Tokenizer.fromFile(file).catch((e: unknown) => e);
    expect(isError(error) && error.code).toBe('TOKENIZER_INVALID');
  });
});

describe('normalizers', () => {
  const model = { type: 'Unigram', unk_id: 0, vocab: unigramVocab(false) };
  const t5Charsmap = () =>
    (JSON.parse(fs.readFileSync(realdata('tokenizers', 't5-small', 'tokenizer.json'), 'utf8')) as {
      normalizer: { precompiled_charsmap: string };
    }).normalizer.precompiled_charsmap;

  const single: Array<[string, () => unknown]> = [
    ['NFD', () => ({ type: 'NFD' })],
    ['NFC', () => ({ type: 'NFC' })],
    ['NFKD', () => ({ type: 'NFKD' })],
    ['NFKC', () => ({ type: 'NFKC' })],
    ['Strip both sides', () => ({ type: 'Strip', strip_left: true, strip_right: true })],
    ['Strip left', () => ({ type: 'Strip', strip_left: true, strip_right: false })],
    ['Strip right', () => ({ type: 'Strip', strip_left: false, strip_right: true })],
    ['Replace String with longer content', () => ({ type: 'Replace', pattern: { String: 'ab' }, content: 'XYZ' })],
    ['Replace String with nothing', () => ({ type: 'Replace', pattern: { String: 'a' }, content: '' })],
    ['Replace String " " with ▁', () => ({ type: 'Replace', pattern: { String: ' ' }, content: '▁' })],
    ['Replace Regex', () => ({ type: 'Replace', pattern: { Regex: '\\s+' }, content: ' ' })],
    ['Replace Regex with empty matches', () => ({ type: 'Replace', pattern: { Regex: 'q*' }, content: '-' })],
    ['Prepend', () => ({ type: 'Prepend', prepend: '▁' })],
    ['Prepend of two characters', () => ({ type: 'Prepend', prepend: '▁x' })],
    ['Prepend of nothing', () => ({ type: 'Prepend', prepend: '' })],
    ['Precompiled (t5-small charsmap)', () => ({ type: 'Precompiled', precompiled_charsmap: t5Charsmap() })],
    ['Lowercase', () => ({ type: 'Lowercase' })],
  ];

  test.each(single)('%s alone', async (label, normalizer) => {
    await expectParity(label, writeTokenizer({ normalizer: normalizer(), pre_tokenizer: METASPACE, model }));
  });

  test.each(single)('%s alone, with a WordPiece model behind BertPreTokenizer', async (label, normalizer) => {
    const vocab: Record<string, number> = { '[UNK]': 0, hello: 1, world: 2, '##s': 3, a: 4, b: 5, '##b': 6, x: 7, '▁': 8, 'é': 9, e: 10 };
    await expectParity(
      `${label} + WordPiece`,
      writeTokenizer({ normalizer: normalizer(), pre_tokenizer: { type: 'BertPreTokenizer' }, model: { type: 'WordPiece', vocab, unk_token: '[UNK]', continuing_subword_prefix: '##', max_input_chars_per_word: 100 } }),
    );
  });

  test('Sequences: the XLM-R / ALBERT style chain and compositions of every normalizer', async () => {
    const sequences: unknown[][] = [
      [{ type: 'Precompiled', precompiled_charsmap: t5Charsmap() }, { type: 'Replace', pattern: { Regex: ' {2,}' }, content: ' ' }],
      [{ type: 'Replace', pattern: { String: '``' }, content: '"' }, { type: 'NFKD' }, { type: 'StripAccents' }, { type: 'Lowercase' }],
      [{ type: 'Strip', strip_left: true, strip_right: true }, { type: 'Prepend', prepend: '▁' }, { type: 'Replace', pattern: { String: ' ' }, content: '▁' }],
      [{ type: 'NFD' }, { type: 'NFC' }, { type: 'NFKC' }],
      // (Prepend "" followed by another normalizer is left out: it makes the reference panic and abort the process.)
      [{ type: 'Prepend', prepend: '▁' }, { type: 'Strip', strip_left: true, strip_right: false }, { type: 'NFKC' }],
      [],
    ];
    for (const normalizers of sequences) {
      await expectParity(
        `Sequence ${JSON.stringify(normalizers).slice(0, 120)}`,
        writeTokenizer({ normalizer: { type: 'Sequence', normalizers }, pre_tokenizer: { type: 'Metaspace', replacement: '▁', prepend_scheme: 'never', split: true }, model }),
      );
    }
  });

  test('a Precompiled normalizer whose charsmap is empty, null or absent is refused (the reference cannot load it either)', async () => {
    for (const normalizer of [
      { type: 'Precompiled', precompiled_charsmap: '' },
      { type: 'Precompiled', precompiled_charsmap: null },
      { type: 'Precompiled' },
      { type: 'Precompiled', precompiled_charsmap: 'not base64!' },
    ]) {
      const error = await Tokenizer.fromFile(writeTokenizer({ normalizer, model })).catch((e: unknown) => e);
      expect(isError(error) && error.code).toBe('TOKENIZER_INVALID');
      expect(String((error as Error).message)).toMatch(/precompiled_charsmap/);
    }
  });

  test('a Replace pattern that is neither String nor Regex names the field', async () => {
    const normalizer = { type: 'Replace', pattern: { Glob: '*' }, content: '' };
    const error = await Tokenizer.fromFile(writeTokenizer({ normalizer, model })).catch((e: unknown) => e);
    expect(isError(error) && error.code).toBe('TOKENIZER_INVALID');
    expect(String((error as Error).message)).toMatch(/pattern/);
  });
});
