/**
 * Parity of the native tokenizer with Hugging Face `tokenizers` (the Rust reference, npm package `tokenizers`):
 * for each WordPiece tokenizer file (and the demo model's), every field of every encoding (ids, typeIds,
 * attentionMask, specialTokensMask, offsets in code points, tokens) must be identical, on SST-2, on the multilingual
 * stress inputs and on a seeded set of tricky strings; single texts and pairs; addSpecialTokens true and false;
 * through encode and encodeBatch. Truncation and padding configured inside a file (all-MiniLM-L6-v2) apply to both.
 */
import * as fs from 'fs';
import { Tokenizer as HfTokenizer } from 'tokenizers';
import { Tokenizer } from '../../lib';
import type { EncodeInput, Encoding } from '../../lib';
import {
  fromNative,
  fromReference,
  mismatchReport,
  PlainEncoding,
  RefEncoding,
} from './encoding-compare';
import { multilingualInputs, projectFile, realdata, sst2Sentences, WORDPIECE_TOKENIZERS } from './realdata';
import { fixedTrickyStrings, generatedTrickyStrings, makePairs } from './tricky-strings';

const SEED = 20240517;

interface TokenizerUnderTest {
  name: string;
  /** Resolves the tokenizer.json path, throwing a clear error when it is absent. */
  file: () => string;
}

const TOKENIZERS: TokenizerUnderTest[] = [
  ...WORDPIECE_TOKENIZERS.map((n) => ({ name: n, file: () => realdata('tokenizers', n, 'tokenizer.json') })),
  // tinybert: BertProcessing post-processor and strip_accents: true, a different vocabulary (1656 tokens).
  { name: 'tinybert', file: () => realdata('models', 'tinybert', 'tokenizer.json') },
  {
    name: 'demo-sentiment',
    file: () => projectFile('models/demo-sentiment/tokenizer.json', 'the demo model tokenizer'),
  },
];

interface PaddingConfig {
  strategy: 'BatchLongest' | { Fixed: number };
  direction: 'Left' | 'Right';
  pad_to_multiple_of: number | null;
  pad_id: number;
  pad_type_id: number;
  pad_token: string;
}

type Ref = InstanceType<typeof HfTokenizer>;

/** The reference's encode for one input (its encode takes a pair as a second argument). */
async function refEncode(ref: Ref, input: EncodeInput, addSpecialTokens: boolean): Promise<RefEncoding> {
  const [a, b] = typeof input === 'string' ? [input, null] : input;
  return (await ref.encode(a, b, { addSpecialTokens })) as unknown as RefEncoding;
}

/**
 * The reference's encodeBatch. Its Node binding only accepts strings in encodeBatch, so pairs are encoded one by
 * one and, when the file asks for BatchLongest padding, padded to the batch's longest exactly as encode_batch does.
 */
async function refEncodeBatch(
  ref: Ref,
  padding: PaddingConfig | null,
  inputs: EncodeInput[],
  addSpecialTokens: boolean,
): Promise<PlainEncoding[]> {
  if (inputs.every((i) => typeof i === 'string')) {
    const encs = (await ref.encodeBatch(inputs as string[], { addSpecialTokens })) as unknown as RefEncoding[];
    return encs.map(fromReference);
  }
  const encs = await Promise.all(inputs.map((i) => refEncode(ref, i, addSpecialTokens)));
  if (padding && padding.strategy === 'BatchLongest' && encs.length > 0) {
    let len = Math.max(...encs.map((e) => e.getIds().length));
    const m = padding.pad_to_multiple_of;
    if (m && m > 0 && len % m !== 0) len += m - (len % m);
    for (const e of encs) {
      (e as unknown as { pad(l: number, o: object): void }).pad(len, {
        direction: padding.direction === 'Left' ? 'left' : 'right',
        padId: padding.pad_id,
        padTypeId: padding.pad_type_id,
        padToken: padding.pad_token,
      });
    }
  }
  return encs.map(fromReference);
}

async function nativeEncodeEach(tok: Tokenizer, inputs: EncodeInput[], addSpecialTokens: boolean) {
  const encs = await Promise.all(
    inputs.map((i) =>
      typeof i === 'string' ? tok.encode(i, null, { addSpecialTokens }) : tok.encode(i[0], i[1], { addSpecialTokens }),
    ),
  );
  return encs.map(fromNative);
}

describe.each(TOKENIZERS)('native Tokenizer parity with Hugging Face tokenizers: $name', ({ name, file }) => {
  let native: Tokenizer;
  let ref: Ref;
  let padding: PaddingConfig | null;
  const corpora: Record<string, string[]> = {};
  const pairCorpora: Record<string, Array<[string, string]>> = {};

  beforeAll(async () => {
    const p = file();
    padding = (JSON.parse(fs.readFileSync(p, 'utf8')) as { padding: PaddingConfig | null }).padding;
    ref = HfTokenizer.fromFile(p);
    native = await Tokenizer.fromFile(p);

    const sst = sst2Sentences();
    expect(sst).toHaveLength(872);
    const multi = multilingualInputs().map((i) => i.text);
    expect(multi).toHaveLength(30);
    const tricky = [...fixedTrickyStrings(), ...generatedTrickyStrings(SEED, 300)];
    corpora['SST-2 dev'] = sst;
    corpora['multilingual inputs'] = multi;
    corpora['tricky strings'] = tricky;
    // SST-2 pairs: consecutive sentences (436 pairs).
    const sstPairs: Array<[string, string]> = [];
    for (let i = 0; i + 1 < sst.length; i += 2) sstPairs.push([sst[i], sst[i + 1]]);
    pairCorpora['SST-2 dev'] = sstPairs;
    pairCorpora['multilingual inputs'] = multi.map((t, i) => [t, multi[(i + 7) % multi.length]] as [string, string]);
    pairCorpora['tricky strings'] = makePairs(tricky, SEED + 1, 200);
  });

  const CORPORA = ['SST-2 dev', 'multilingual inputs', 'tricky strings'];

  for (const corpus of CORPORA) {
    for (const addSpecialTokens of [true, false]) {
      test(`encode, single texts, ${corpus}, addSpecialTokens=${addSpecialTokens}`, async () => {
        const inputs = corpora[corpus];
        const expected = (await Promise.all(inputs.map((i) => refEncode(ref, i, addSpecialTokens)))).map(fromReference);
        const actual = await nativeEncodeEach(native, inputs, addSpecialTokens);
        expect(mismatchReport(`${name} encode ${corpus}`, inputs, actual, expected)).toBe('');
      });

      test(`encodeBatch, single texts, ${corpus}, addSpecialTokens=${addSpecialTokens}`, async () => {
        const inputs = corpora[corpus];
        const expected = await refEncodeBatch(ref, padding, inputs, addSpecialTokens);
        const actual = (await native.encodeBatch(inputs, { addSpecialTokens })).map(fromNative);
        expect(mismatchReport(`${name} encodeBatch ${corpus}`, inputs, actual, expected)).toBe('');
      });

      test(`encode, pairs, ${corpus}, addSpecialTokens=${addSpecialTokens}`, async () => {
        const inputs = pairCorpora[corpus];
        const expected = (await Promise.all(inputs.map((i) => refEncode(ref, i, addSpecialTokens)))).map(fromReference);
        const actual = await nativeEncodeEach(native, inputs, addSpecialTokens);
        expect(mismatchReport(`${name} encode pairs ${corpus}`, inputs, actual, expected)).toBe('');
      });

      test(`encodeBatch, pairs, ${corpus}, addSpecialTokens=${addSpecialTokens}`, async () => {
        const inputs = pairCorpora[corpus];
        const expected = await refEncodeBatch(ref, padding, inputs, addSpecialTokens);
        const actual = (await native.encodeBatch(inputs, { addSpecialTokens })).map(fromNative);
        expect(mismatchReport(`${name} encodeBatch pairs ${corpus}`, inputs, actual, expected)).toBe('');
      });
    }
  }

  test('encodeBatch with singles and pairs mixed in one batch, in input order', async () => {
    const tricky = corpora['tricky strings'];
    const pairs = pairCorpora['tricky strings'];
    const inputs: EncodeInput[] = [];
    for (let i = 0; i < 60; i++) inputs.push(i % 3 === 0 ? pairs[i] : tricky[i]);
    for (const addSpecialTokens of [true, false]) {
      const expected = await refEncodeBatch(ref, padding, inputs, addSpecialTokens);
      const actual = (await native.encodeBatch(inputs, { addSpecialTokens })).map(fromNative);
      expect(mismatchReport(`${name} encodeBatch mixed`, inputs, actual, expected)).toBe('');
    }
  });

  test('addSpecialTokens defaults to true (encode without options, with {} and with a null pair)', async () => {
    const inputs = [...corpora['multilingual inputs'], ...corpora['tricky strings'].slice(0, 40)];
    const expected = (await Promise.all(inputs.map((i) => refEncode(ref, i, true)))).map(fromReference);
    const variants: Array<[string, (t: string) => Promise<Encoding>]> = [
      ['encode(text)', (t) => native.encode(t)],
      ['encode(text, null)', (t) => native.encode(t, null)],
      ['encode(text, undefined, {})', (t) => native.encode(t, undefined, {})],
    ];
    for (const [label, fn] of variants) {
      const actual = (await Promise.all(inputs.map(fn))).map(fromNative);
      expect(mismatchReport(`${name} ${label}`, inputs, actual, expected)).toBe('');
    }
    const batchDefault = (await native.encodeBatch(inputs)).map(fromNative);
    const batchExpected = await refEncodeBatch(ref, padding, inputs, true);
    expect(mismatchReport(`${name} encodeBatch(inputs)`, inputs, batchDefault, batchExpected)).toBe('');
  });

  test('encodeBatch of an empty list resolves to an empty list', async () => {
    await expect(native.encodeBatch([])).resolves.toEqual([]);
  });

  test('the same input gives the same encoding through encode and encodeBatch (no padding configured) and on repeat', async () => {
    const inputs = corpora['tricky strings'].slice(0, 50);
    const once = (await native.encodeBatch(inputs)).map(fromNative);
    const again = (await native.encodeBatch(inputs)).map(fromNative);
    expect(mismatchReport(`${name} repeated encodeBatch`, inputs, again, once)).toBe('');
    if (padding === null || padding.strategy !== 'BatchLongest') {
      const each = await nativeEncodeEach(native, inputs, true);
      expect(mismatchReport(`${name} encode vs encodeBatch`, inputs, each, once)).toBe('');
    }
  });
});

describe('truncation and padding configured inside the tokenizer file (all-MiniLM-L6-v2: LongestFirst 128, Fixed 128)', () => {
  test('long single texts and long pairs are truncated to 128 and short ones padded to 128, as the reference does', async () => {
    const p = realdata('tokenizers', 'all-MiniLM-L6-v2', 'tokenizer.json');
    const native = await Tokenizer.fromFile(p);
    const ref = HfTokenizer.fromFile(p);
    const longText = 'The quick brown fox jumps over the lazy dog. '.repeat(40);
    const inputs: EncodeInput[] = [
      'short',
      '',
      longText,
      [longText, 'a short second text'],
      ['a short first text', longText],
      [longText, longText + ' and a bit more'],
    ];
    for (const addSpecialTokens of [true, false]) {
      const expected = (await Promise.all(inputs.map((i) => refEncode(ref, i, addSpecialTokens)))).map(fromReference);
      for (const e of expected) expect(e.ids).toHaveLength(128); // the reference follows the file
      const actual = await nativeEncodeEach(native, inputs, addSpecialTokens);
      expect(mismatchReport('all-MiniLM-L6-v2 truncation/padding', inputs, actual, expected)).toBe('');
    }
  });
});
