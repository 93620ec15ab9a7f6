/**
 * Per-call truncation and padding (EncodeOptions.truncation / .padding) with parity against Hugging Face
 * `tokenizers` configured through setTruncation / setPadding: every strategy and direction, strides, the
 * overflowing pieces (compared recursively: the reference nests the combinations of a pair's pieces), special
 * tokens on and off, single texts and pairs, fixed and batch-longest padding; and the errors.
 */
import { Tokenizer as HfTokenizer } from 'tokenizers';
import { Tokenizer } from '../../lib';
import type { EncodeOptions, Encoding } from '../../lib';
import { addedToken, loadBoth, RefTokenizer, tokenizerJson, wordPieceModel } from './built-tokenizers';
import { diffEncoding, fromNative, fromReference, RefEncoding } from './encoding-compare';
import { isError, realdata, sst2Sentences } from './realdata';

type Strategy = 'longest_first' | 'only_first' | 'only_second';
const REF_STRATEGY = { longest_first: 'LongestFirst', only_first: 'OnlyFirst', only_second: 'OnlySecond' } as const;

interface RefWithOverflow extends RefEncoding {
  getOverflowing(): RefWithOverflow[];
}

/** Field-by-field difference of two encodings and, recursively, of their overflowing pieces. */
function diffDeep(actual: Encoding, expected: RefWithOverflow, where: string): string | null {
  const d = diffEncoding(fromNative(actual), fromReference(expected));
  if (d) return `${where}: ${d}`;
  const a = actual.overflowing;
  const x = expected.getOverflowing();
  if (!Array.isArray(a)) return `${where}: native overflowing is not an array`;
  if (a.length !== x.length) {
    return `${where}: ${a.length} overflowing pieces, reference ${x.length}: reference ${JSON.stringify(x.map((e) => e.getTokens()))}`;
  }
  for (let i = 0; i < a.length; i++) {
    const inner = diffDeep(a[i], x[i], `${where}.overflowing[${i}]`);
    if (inner) return inner;
  }
  return null;
}

interface Case {
  maxLength: number;
  strategy: Strategy;
  direction: 'left' | 'right';
  stride: number;
}

function configure(ref: RefTokenizer, c: Case) {
  ref.setTruncation(c.maxLength, { strategy: REF_STRATEGY[c.strategy] as never, direction: c.direction, stride: c.stride });
}

async function compareCase(ref: RefTokenizer, native: Tokenizer, c: Case, inputs: Array<[string, string | null]>) {
  configure(ref, c);
  const problems: string[] = [];
  for (const addSpecialTokens of [true, false]) {
    const options: EncodeOptions = { addSpecialTokens, truncation: { ...c } };
    for (const [a, b] of inputs) {
      let expected: RefWithOverflow | null = null;
      let refError: unknown = null;
      try {
        expected = (await ref.encode(a, b, { addSpecialTokens })) as unknown as RefWithOverflow;
      } catch (e) {
        refError = e;
      }
      let actual: Encoding | null = null;
      let nativeError: unknown = null;
      try {
        actual = await native.encode(a, b, options);
      } catch (e) {
        nativeError = e;
      }
      const where = `${JSON.stringify(c)} special=${addSpecialTokens} ${JSON.stringify([a, b])}`;
      if (refError || nativeError) {
        if (!refError) problems.push(`${where}: native rejected (${String(nativeError)}) but the reference did not`);
        else if (!nativeError) problems.push(`${where}: the reference rejected (${String(refError)}) but native did not`);
        else if ((nativeError as { code?: string }).code !== 'INVALID_ARGUMENT') {
          problems.push(`${where}: native error code ${(nativeError as { code?: string }).code}`);
        }
        continue;
      }
      const d = diffDeep(actual!, expected!, where);
      if (d) problems.push(d);
    }
  }
  ref.disableTruncation();
  return problems;
}

describe('truncation with stride and overflowing pieces, parity with the reference', () => {
  let ref: RefTokenizer;
  let native: Tokenizer;
  let singles: Array<[string, null]>;
  let pairs: Array<[string, string]>;
  let shortSecond: Array<[string, string]>;
  let shortFirst: Array<[string, string]>;

  beforeAll(async () => {
    const file = realdata('tokenizers', 'bert-base-uncased', 'tokenizer.json');
    ref = HfTokenizer.fromFile(file);
    native = await Tokenizer.fromFile(file);
    const sst = sst2Sentences().slice(0, 40);
    singles = sst.map((s) => [s, null]);
    pairs = sst.slice(0, 20).map((s, i) => [s, sst[39 - i]]);
    const short = ['yes', 'not at all', 'a fine film', 'ok !'];
    shortSecond = sst.slice(0, 12).map((s, i) => [s, short[i % 4]]);
    shortFirst = sst.slice(0, 12).map((s, i) => [short[i % 4], s]);
  });

  const cases: Case[] = [];
  for (const direction of ['right', 'left'] as const) {
    for (const [maxLength, stride] of [[12, 0], [12, 3], [20, 5], [9, 2], [40, 0]]) {
      cases.push({ maxLength, strategy: 'longest_first', direction, stride });
    }
  }

  test.each(cases)('single texts and pairs, longest_first %j', async (c) => {
    expect((await compareCase(ref, native, c, [...singles, ...pairs])).slice(0, 3)).toEqual([]);
  });

  const onlyCases: Case[] = [];
  for (const direction of ['right', 'left'] as const) {
    for (const strategy of ['only_first', 'only_second'] as const) {
      for (const [maxLength, stride] of [[16, 0], [16, 2], [24, 4]]) onlyCases.push({ maxLength, strategy, direction, stride });
    }
  }

  test.each(onlyCases)('only_first / only_second %j (errors where the reference errors)', async (c) => {
    const inputs = c.strategy === 'only_first' ? shortSecond : shortFirst;
    // Single texts: only_first truncates them; only_second rejects (no second text), both as the reference.
    expect((await compareCase(ref, native, c, [...inputs, ...singles.slice(0, 5)])).slice(0, 3)).toEqual([]);
  });

  test('the errors are INVALID_ARGUMENT with a clear message', async () => {
    const second = native.encode('a long text with many words in it', null, {
      truncation: { maxLength: 5, strategy: 'only_second' },
    });
    await expect(second).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(/only_second needs a pair/) });
    const tooShort = native.encode('yes', 'a very long second text that cannot be shortened by the first', {
      truncation: { maxLength: 8, strategy: 'only_first' },
    });
    await expect(tooShort).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(/too short/) });
    const stride = native.encode('one two three four five six seven eight', null, { truncation: { maxLength: 6, stride: 4 } });
    await expect(stride).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(/stride/) });
  });
});

describe('per-call padding, parity with the reference', () => {
  test.each([
    { length: 40, direction: 'right', padToMultipleOf: 0 },
    { length: 40, direction: 'left', padToMultipleOf: 16 },
    { direction: 'right', padToMultipleOf: 8 },
    { direction: 'left', padToMultipleOf: 0 },
  ] as const)('%j with truncation and overflow, custom pad id/type/token', async (p) => {
    const file = realdata('tokenizers', 'bert-base-uncased', 'tokenizer.json');
    const ref = HfTokenizer.fromFile(file);
    const native = await Tokenizer.fromFile(file);
    const texts = sst2Sentences().slice(40, 70);
    const padding = { ...p, padId: 7, padTypeId: 3, padToken: '<my-pad>' };
    ref.setPadding({
      maxLength: 'length' in p ? p.length : undefined,
      direction: p.direction,
      padToMultipleOf: p.padToMultipleOf || undefined,
      padId: 7,
      padTypeId: 3,
      padToken: '<my-pad>',
    });
    ref.setTruncation(14, { stride: 2 });
    const expected = (await ref.encodeBatch(texts)) as unknown as RefWithOverflow[];
    const actual = await native.encodeBatch(texts, { padding, truncation: { maxLength: 14, stride: 2 } });
    const problems = texts.map((t, i) => diffDeep(actual[i], expected[i], JSON.stringify(t))).filter((d) => d);
    expect(problems.slice(0, 3)).toEqual([]);
  });

  test('false disables the file\'s own truncation and padding (all-MiniLM-L6-v2 has both)', async () => {
    const file = realdata('tokenizers', 'all-MiniLM-L6-v2', 'tokenizer.json');
    const ref = HfTokenizer.fromFile(file);
    ref.disableTruncation();
    ref.disablePadding();
    const native = await Tokenizer.fromFile(file);
    const text = sst2Sentences().slice(0, 10).join(' ').repeat(5);
    const expected = (await ref.encode(text)) as unknown as RefWithOverflow;
    const actual = await native.encode(text, null, { truncation: false, padding: false });
    expect(diffDeep(actual, expected, 'long text')).toBeNull();
    expect(actual.ids.length).toBeGreaterThan(128);
  });
});

describe('overflow without a post-processor and with BertProcessing (built tokenizers)', () => {
  const words = ['[UNK]', '[CLS]', '[SEP]', '[PAD]', ...'a b c d e f g h i j k l m n o p'.split(' ')];
  const texts: Array<[string, string | null]> = [
    ['a b c d e f g h i j k', null],
    ['a b c d e f g h', 'i j k l m n o p'],
    ['a b', 'c d e f g h i j k l m n o p'],
  ];
  test.each([null, { type: 'BertProcessing', sep: ['[SEP]', 2], cls: ['[CLS]', 1] }])('post-processor %j', async (pp) => {
    const { ref, native } = await loadBoth(
      tokenizerJson({
        model: wordPieceModel(words),
        added_tokens: [addedToken(0, '[UNK]'), addedToken(1, '[CLS]'), addedToken(2, '[SEP]'), addedToken(3, '[PAD]')],
        pre_tokenizer: { type: 'WhitespaceSplit' },
        post_processor: pp,
      }),
    );
    const problems: string[] = [];
    for (const c of [
      { maxLength: 7, strategy: 'longest_first', direction: 'right', stride: 1 },
      { maxLength: 8, strategy: 'longest_first', direction: 'left', stride: 0 },
    ] as Case[]) {
      problems.push(...(await compareCase(ref, native, c, texts)));
    }
    expect(problems.slice(0, 3)).toEqual([]);
  });
});

describe('option validation', () => {
  let native: Tokenizer;
  beforeAll(async () => {
    native = await Tokenizer.fromFile(realdata('tokenizers', 'bert-base-uncased', 'tokenizer.json'));
  });
  test.each([
    [{ truncation: true }, 'TypeError', /Expected false or object for options.truncation/],
    [{ truncation: {} }, 'TypeError', /for options.truncation.maxLength/],
    [{ truncation: { maxLength: -1 } }, 'RangeError', /for options.truncation.maxLength/],
    [{ truncation: { maxLength: 5, strategy: 'first' } }, 'RangeError', /for options.truncation.strategy/],
    [{ truncation: { maxLength: 5, direction: 1 } }, 'TypeError', /for options.truncation.direction/],
    [{ truncation: { maxLength: 5, stride: 1.5 } }, 'RangeError', /for options.truncation.stride/],
    [{ padding: 'max' }, 'TypeError', /for options.padding/],
    [{ padding: { length: 'x' } }, 'TypeError', /for options.padding.length/],
    [{ padding: { direction: 'up' } }, 'RangeError', /for options.padding.direction/],
    [{ padding: { padToken: 3 } }, 'TypeError', /for options.padding.padToken/],
  ])('%j throws %s', (options, kind, message) => {
    let thrown: unknown = null;
    try {
      void native.encode('x', null, options as unknown as EncodeOptions);
    } catch (e) {
      thrown = e;
    }
    expect(isError(thrown)).toBe(true);
    expect((thrown as Error).constructor.name).toBe(kind);
    expect((thrown as Error & { code?: string }).code).toBe('INVALID_ARGUMENT');
    expect((thrown as Error).message).toMatch(message);
  });
});
