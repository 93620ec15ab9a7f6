/**
 * Parity of the native BPE tokenizers with Hugging Face `tokenizers` (the reference): every field of every encoding
 * (ids, type ids, attention and special-tokens masks, offsets in code points, tokens) must be identical.
 *
 * - roberta-base (realdata: byte-level BPE, ByteLevel pre-tokenizer, RobertaProcessing, <mask> with lstrip) on SST-2,
 *   the multilingual inputs and tricky strings, single texts and pairs, with and without special tokens;
 * - variants of roberta-base with every ByteLevel pre-tokenizer / ByteLevel, RobertaProcessing and Sequence
 *   post-processor option;
 * - classic BPE models trained here (bpe-fixtures.ts) exercising every model option and every remaining
 *   pre-tokenizer (Whitespace, Punctuation, Digits, Split, CharDelimiterSplit) and split behaviour;
 * - one tokenizer built through the reference's JS API and saved with save().
 * Each file is loaded by both implementations from the same path.
 */
import { Tokenizer as HfTokenizer, BPE, punctuationPreTokenizer, sequencePreTokenizer, digitsPreTokenizer } from 'tokenizers';
import { robertaProcessing } from 'tokenizers';
import { Tokenizer } from '../../lib';
import type { EncodeInput } from '../../lib';
import {
  Json,
  makeFixtureDir,
  removeFixtureDir,
  robertaJson,
  tokenizerJson,
  trainClassicBpe,
  ClassicOptions,
  writeTokenizer,
} from './bpe-fixtures';
import { fromNative, fromReference, mismatchReport, RefEncoding } from './encoding-compare';
import { isError, multilingualInputs, sst2Sentences } from './realdata';
import { fixedTrickyStrings, generatedTrickyStrings, makePairs, seededRandom } from './tricky-strings';

const SEED = 20240611;

type Ref = InstanceType<typeof HfTokenizer>;

async function refEncode(ref: Ref, input: EncodeInput, addSpecialTokens: boolean) {
  const [a, b] = typeof input === 'string' ? [input, null] : input;
  return fromReference((await ref.encode(a, b, { addSpecialTokens })) as unknown as RefEncoding);
}

async function nativeEncode(tok: Tokenizer, input: EncodeInput, addSpecialTokens: boolean) {
  const [a, b] = typeof input === 'string' ? [input, null] : input;
  return fromNative(await tok.encode(a, b, { addSpecialTokens }));
}

/** Compares both implementations on `inputs`, with and without special tokens; '' when identical. */
async function parityReport(label: string, file: string, inputs: EncodeInput[]): Promise<string> {
  const ref = HfTokenizer.fromFile(file);
  const native = await Tokenizer.fromFile(file);
  const reports: string[] = [];
  for (const addSpecialTokens of [true, false]) {
    const expected = [];
    const actual = [];
    for (const input of inputs) {
      expected.push(await refEncode(ref, input, addSpecialTokens));
      actual.push(await nativeEncode(native, input, addSpecialTokens));
    }
    const report = mismatchReport(`${label} addSpecialTokens=${addSpecialTokens}`, inputs, actual, expected);
    if (report) reports.push(report);
  }
  return reports.join('\n');
}

/** `length` random code points from every plane (lone surrogates included), seeded. */
function randomCodePoints(seed: number, length: number): string {
  const rnd = seededRandom(seed);
  const out: string[] = [];
  for (let i = 0; i < length; i++) {
    const plane = Math.floor(rnd() * 17);
    // Mostly the BMP and plane 1, where real text lives, but every plane appears.
    const cp = plane < 10 ? Math.floor(rnd() * 0x10000) : plane < 13 ? 0x10000 + Math.floor(rnd() * 0x10000) : Math.floor(rnd() * 0x110000);
    out.push(cp >= 0xd800 && cp <= 0xdfff ? String.fromCharCode(cp) : String.fromCodePoint(cp));
    if (rnd() < 0.15) out.push(' ');
  }
  return out.join('');
}

/** Strings aimed at byte-level BPE, added tokens with lstrip, digits, punctuation and delimiters. */
function bpeEdgeCases(): string[] {
  return [
    ' Hello  world  ',
    'é 中 <mask> x',
    'a <mask>b',
    '<mask>',
    '  <mask>  ',
    '\u3000<mask>',
    'x\t<mask>\n',
    '<mask><mask> <mask>',
    '<s>text</s> <pad>',
    "I'm  you're they'll we've she'd it's I'M",
    '123 4567 ½ ٣٤٥ 1,000,000.50',
    'a1b22c333',
    '...!?,;:--—«»',
    'e e e eee ee',
    'trailing spaces   ',
    '   leading spaces',
    '\n\n\t\t',
    'a\u00a0b\u2003c',
    '😀👍🏽 a\u0301 👨\u200d👩\u200d👧',
    '𝔘𝔫𝔦𝔠𝔬𝔡𝔢 𠀀',
    '\u0000\u0001\u007f\u0085',
    'mixed 中文 English 日本語 한국어 عربى עברית',
  ];
}

function sstPairs(sst: string[], count: number): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  for (let i = 0; i + 1 < sst.length && pairs.length < count; i += 2) pairs.push([sst[i], sst[i + 1]]);
  return pairs;
}

describe('roberta-base (realdata): native BPE tokenizer identical to Hugging Face tokenizers', () => {
  const file = () => {
    const dir = makeFixtureDir();
    // The real file, as is; copied to a temporary path only so this describe block owns its own file name.
    const p = writeTokenizer(dir, 'roberta-base', robertaJson());
    return { dir, p };
  };
  let fixture: { dir: string; p: string };
  beforeAll(() => {
    fixture = file();
  });
  afterAll(() => removeFixtureDir(fixture.dir));

  test('SST-2 dev sentences, single texts and consecutive pairs', async () => {
    const sst = sst2Sentences();
    expect(sst).toHaveLength(872);
    expect(await parityReport('roberta-base SST-2', fixture.p, [...sst, ...sstPairs(sst, 436)])).toBe('');
  });

  test('multilingual inputs, single texts and pairs', async () => {
    const multi = multilingualInputs().map((i) => i.text);
    expect(multi).toHaveLength(30);
    const pairs = multi.map((t, i) => [t, multi[(i + 7) % multi.length]] as [string, string]);
    expect(await parityReport('roberta-base multilingual', fixture.p, [...multi, ...pairs])).toBe('');
  });

  test('tricky strings (fixed and 300 generated) and byte-level edge cases, single texts and pairs', async () => {
    const tricky = [...fixedTrickyStrings(), ...generatedTrickyStrings(SEED, 300), ...bpeEdgeCases(), randomCodePoints(SEED, 400)];
    const inputs: EncodeInput[] = [...tricky, ...makePairs(tricky, SEED + 1, 150)];
    expect(await parityReport('roberta-base tricky', fixture.p, inputs)).toBe('');
  });

  test('100,000-character texts: English prose and random code points from every plane', async () => {
    const prose = 'The quick brown fox jumps over the lazy dog, 123 times! '.repeat(1800).slice(0, 100000);
    const random = randomCodePoints(SEED + 2, 100000);
    expect(await parityReport('roberta-base long', fixture.p, [prose, random, [prose.slice(0, 5000), random.slice(0, 5000)]])).toBe('');
  });

  test('encodeBatch gives the same encodings as encode', async () => {
    const native = await Tokenizer.fromFile(fixture.p);
    const inputs: EncodeInput[] = [...bpeEdgeCases(), ['a pair', ' with <mask> in it']];
    const batch = (await native.encodeBatch(inputs)).map(fromNative);
    const each = [];
    for (const input of inputs) each.push(await nativeEncode(native, input, true));
    expect(mismatchReport('roberta-base encodeBatch vs encode', inputs, batch, each)).toBe('');
  });
});

/**
 * A smaller corpus for the many variants: enough of each kind of input to exercise every branch.
 * Random code points from every plane are left to the roberta-base tests above: on code points assigned in recent
 * Unicode versions (e.g. U+1B7D, U+31E00) the category-based pre-tokenizers (Punctuation, Whitespace) depend on the
 * Unicode version of the character tables, which the Unicode-version work (issue3-features) aligns with the
 * reference's; until then they would differ there for that reason alone.
 */
function variantCorpus(): EncodeInput[] {
  const sst = sst2Sentences().slice(0, 120);
  const multi = multilingualInputs().map((i) => i.text);
  const tricky = [...fixedTrickyStrings(), ...generatedTrickyStrings(SEED + 3, 80), ...bpeEdgeCases()];
  return [...sst, ...multi, ...tricky, ...makePairs([...sst.slice(0, 20), ...tricky], SEED + 4, 40)];
}

const ROBERTA_TOKENS = { sep: ['</s>', 2], cls: ['<s>', 0] };

/** roberta-base with its pre-tokenizer and post-processor replaced. */
function robertaVariant(preTokenizer: Json, postProcessor: Json): Json {
  const json = robertaJson();
  json.pre_tokenizer = preTokenizer;
  json.post_processor = postProcessor;
  return json;
}

const byteLevelPre = (add_prefix_space: boolean, use_regex = true) => ({ type: 'ByteLevel', add_prefix_space, trim_offsets: true, use_regex });
const byteLevelPost = (trim_offsets: boolean, add_prefix_space = true) => ({ type: 'ByteLevel', add_prefix_space, trim_offsets, use_regex: true });
const roberta = (trim_offsets: boolean, add_prefix_space: boolean) => ({ type: 'RobertaProcessing', ...ROBERTA_TOKENS, trim_offsets, add_prefix_space });

const BYTE_LEVEL_VARIANTS: Array<{ name: string; json: () => Json }> = [
  { name: 'ByteLevel add_prefix_space + RobertaProcessing add_prefix_space, trim_offsets', json: () => robertaVariant(byteLevelPre(true), roberta(true, true)) },
  { name: 'ByteLevel add_prefix_space + RobertaProcessing without trim_offsets', json: () => robertaVariant(byteLevelPre(true), roberta(false, true)) },
  { name: 'ByteLevel without prefix space + RobertaProcessing trim_offsets, add_prefix_space', json: () => robertaVariant(byteLevelPre(false), roberta(true, true)) },
  { name: 'ByteLevel use_regex=false + ByteLevel post-processor trim_offsets, no prefix space', json: () => robertaVariant(byteLevelPre(false, false), byteLevelPost(true, false)) },
  { name: 'ByteLevel add_prefix_space + ByteLevel post-processor trim_offsets, add_prefix_space', json: () => robertaVariant(byteLevelPre(true), byteLevelPost(true, true)) },
  { name: 'ByteLevel + ByteLevel post-processor without trim_offsets', json: () => robertaVariant(byteLevelPre(false), byteLevelPost(false)) },
  { name: 'no post-processor', json: () => robertaVariant(byteLevelPre(false), null) },
  {
    name: 'Sequence post-processor [ByteLevel trim_offsets, RobertaProcessing]',
    json: () => robertaVariant(byteLevelPre(false), { type: 'Sequence', processors: [byteLevelPost(true, false), roberta(false, false)] }),
  },
  {
    name: 'Sequence post-processor [ByteLevel trim_offsets, TemplateProcessing] (Llama 3 style)',
    json: () =>
      robertaVariant(byteLevelPre(false), {
        type: 'Sequence',
        processors: [
          byteLevelPost(true, false),
          {
            type: 'TemplateProcessing',
            single: [{ SpecialToken: { id: '<s>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }],
            pair: [
              { SpecialToken: { id: '<s>', type_id: 0 } },
              { Sequence: { id: 'A', type_id: 0 } },
              { SpecialToken: { id: '<s>', type_id: 1 } },
              { Sequence: { id: 'B', type_id: 1 } },
            ],
            special_tokens: { '<s>': { id: '<s>', ids: [0], tokens: ['<s>'] } },
          },
        ],
      }),
  },
  {
    name: 'Sequence pre-tokenizer [Split regex Isolated, ByteLevel use_regex=false] (Llama 3 style)',
    json: () =>
      robertaVariant(
        {
          type: 'Sequence',
          pretokenizers: [
            {
              type: 'Split',
              pattern: { Regex: "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+" },
              behavior: 'Isolated',
              invert: false,
            },
            byteLevelPre(false, false),
          ],
        },
        byteLevelPost(true, false),
      ),
  },
  {
    name: 'Sequence pre-tokenizer [Digits individual, ByteLevel]',
    json: () => robertaVariant({ type: 'Sequence', pretokenizers: [{ type: 'Digits', individual_digits: true }, byteLevelPre(true)] }, roberta(true, true)),
  },
];

describe.each(BYTE_LEVEL_VARIANTS)('byte-level variant of roberta-base: $name', ({ name, json }) => {
  test('identical to the reference on SST-2, multilingual, tricky strings and pairs', async () => {
    const dir = makeFixtureDir();
    try {
      const p = writeTokenizer(dir, 'variant', json());
      expect(await parityReport(name, p, variantCorpus())).toBe('');
    } finally {
      removeFixtureDir(dir);
    }
  });
});

/** Training words: SST-2 cut like the Whitespace pre-tokenizer does (letters/digits runs, symbol runs). */
function trainingWords(): string[] {
  return sst2Sentences().flatMap((s) => s.match(/[\p{L}\p{N}_]+|[^\p{L}\p{N}_\s]+/gu) ?? []);
}

const WHITESPACE = { type: 'Whitespace' };
const WHITESPACE_SPLIT = { type: 'WhitespaceSplit' };
const seq = (...pretokenizers: Json[]) => ({ type: 'Sequence', pretokenizers });
const BEHAVIORS = ['Removed', 'Isolated', 'MergedWithPrevious', 'MergedWithNext', 'Contiguous'];

interface ClassicVariant {
  name: string;
  model: ClassicOptions & { dropout?: number };
  pre: Json;
  post?: Json;
}

const CLASSIC_VARIANTS: ClassicVariant[] = [
  { name: 'prefix ## + suffix </w> + unk (not fused), Whitespace', model: { prefix: '##', suffix: '</w>', unk: '<unk>' }, pre: WHITESPACE },
  { name: 'suffix </w> + unk fused + [a, b] merges, Whitespace, RobertaProcessing without trim', model: { suffix: '</w>', unk: '<unk>', fuseUnk: true, pairMerges: true }, pre: WHITESPACE, post: roberta(false, false) },
  { name: 'prefix ## and no unk (unknown characters dropped), WhitespaceSplit', model: { prefix: '##' }, pre: WHITESPACE_SPLIT },
  { name: 'byte_fallback for bytes below 0xE0 + unk fused (longer characters fall back to unk)', model: { unk: '<unk>', fuseUnk: true, byteFallbackBelow: 0xe0 }, pre: WHITESPACE },
  { name: 'byte_fallback for every byte, no unk, dropout 0', model: { byteFallbackBelow: 256, dropout: 0 }, pre: WHITESPACE },
  { name: 'ignore_merges + unk', model: { unk: '<unk>', ignoreMerges: true }, pre: WHITESPACE },
  { name: 'ignore_merges + suffix </w>', model: { suffix: '</w>', unk: '<unk>', ignoreMerges: true }, pre: WHITESPACE_SPLIT },
  ...BEHAVIORS.map((behavior) => ({ name: `Punctuation ${behavior}`, model: { unk: '<unk>' }, pre: seq(WHITESPACE_SPLIT, { type: 'Punctuation', behavior }) })),
  ...[true, false].map((individual_digits) => ({ name: `Digits individual_digits=${individual_digits}`, model: { unk: '<unk>' }, pre: seq(WHITESPACE_SPLIT, { type: 'Digits', individual_digits }) })),
  ...[false, true].flatMap((invert) =>
    BEHAVIORS.flatMap((behavior) => [
      { name: `Split String " " ${behavior} invert=${invert}`, model: { unk: '<unk>' }, pre: { type: 'Split', pattern: { String: ' ' }, behavior, invert } },
      { name: `Split Regex ${behavior} invert=${invert}`, model: { unk: '<unk>' }, pre: { type: 'Split', pattern: { Regex: '\\d+|[aeiou]|\\s*' }, behavior, invert } },
    ]),
  ),
  { name: 'Split String "the" MergedWithNext then WhitespaceSplit', model: { unk: '<unk>' }, pre: seq({ type: 'Split', pattern: { String: 'the' }, behavior: 'MergedWithNext', invert: false }, WHITESPACE_SPLIT) },
  { name: 'Split String "" (matches nothing)', model: { unk: '<unk>' }, pre: { type: 'Split', pattern: { String: '' }, behavior: 'Removed', invert: false } },
  { name: 'CharDelimiterSplit " "', model: { unk: '<unk>' }, pre: { type: 'CharDelimiterSplit', delimiter: ' ' } },
  { name: 'CharDelimiterSplit "e"', model: { unk: '<unk>' }, pre: { type: 'CharDelimiterSplit', delimiter: 'e' } },
];

describe('classic (non-byte-level) BPE models and the remaining pre-tokenizers', () => {
  let words: string[];
  let corpus: EncodeInput[];
  let dir: string;
  beforeAll(() => {
    words = trainingWords();
    corpus = variantCorpus();
    dir = makeFixtureDir();
  });
  afterAll(() => removeFixtureDir(dir));

  test.each(CLASSIC_VARIANTS)('$name: identical to the reference', async ({ name, model, pre, post }) => {
    const bpe = trainClassicBpe(words, { merges: 300, ...model });
    if (model.dropout !== undefined) bpe.dropout = model.dropout;
    const p = writeTokenizer(dir, name.replace(/[^A-Za-z0-9]+/g, '_'), tokenizerJson(bpe, pre, post ?? null));
    expect(await parityReport(name, p, corpus)).toBe('');
  });

  test('a tokenizer built with the reference JS API and saved by it (Punctuation MergedWithNext, Digits, RobertaProcessing)', async () => {
    const bpe = trainClassicBpe(words, { merges: 200, prefix: '##', unk: '<unk>' });
    const ref = new HfTokenizer(
      BPE.init(bpe.vocab, (bpe.merges as string[]).map((m) => m.split(' ') as [string, string]), {
        unkToken: '<unk>',
        continuingSubwordPrefix: '##',
        fuseUnk: true,
      }),
    );
    ref.setPreTokenizer(sequencePreTokenizer([punctuationPreTokenizer('mergedWithNext'), digitsPreTokenizer(false)]));
    ref.setPostProcessor(robertaProcessing(['</s>', 2], ['<s>', 0], true, false));
    const p = `${dir}/saved-by-reference.json`;
    ref.save(p);
    expect(await parityReport('saved by the reference', p, corpus)).toBe('');
  });
});

describe('BPE files the engine refuses, with the field named', () => {
  let dir: string;
  let words: string[];
  beforeAll(() => {
    dir = makeFixtureDir();
    words = trainingWords().slice(0, 2000);
  });
  afterAll(() => removeFixtureDir(dir));

  async function loadError(json: Json): Promise<{ code?: unknown; message: string }> {
    const p = writeTokenizer(dir, 'refused', json);
    try {
      await Tokenizer.fromFile(p);
    } catch (e) {
      if (!isError(e)) throw e;
      return e as { code?: unknown; message: string };
    }
    throw new Error('the tokenizer loaded but should have been refused');
  }

  test('a positive dropout is random in the reference, so it is refused as TOKENIZER_UNSUPPORTED', async () => {
    const bpe = trainClassicBpe(words, { merges: 20 });
    bpe.dropout = 0.1;
    const error = await loadError(tokenizerJson(bpe, WHITESPACE));
    expect(error.code).toBe('TOKENIZER_UNSUPPORTED');
    expect(error.message).toContain('dropout');
  });

  test('a merge naming a token outside the vocabulary is TOKENIZER_INVALID', async () => {
    const bpe = trainClassicBpe(words, { merges: 20 });
    (bpe.merges as string[]).push('qq zz');
    const error = await loadError(tokenizerJson(bpe, WHITESPACE));
    expect(error.code).toBe('TOKENIZER_INVALID');
    expect(error.message).toContain('qq');
  });

  test('a malformed merge is TOKENIZER_INVALID naming merges', async () => {
    const bpe = trainClassicBpe(words, { merges: 20 });
    (bpe.merges as unknown[]).push(42);
    const error = await loadError(tokenizerJson(bpe, WHITESPACE));
    expect(error.code).toBe('TOKENIZER_INVALID');
    expect(error.message).toContain('merges');
  });

  test('an unknown split behaviour is TOKENIZER_INVALID naming behavior', async () => {
    const bpe = trainClassicBpe(words, { merges: 20 });
    const error = await loadError(tokenizerJson(bpe, { type: 'Split', pattern: { String: ' ' }, behavior: 'Sideways', invert: false }));
    expect(error.code).toBe('TOKENIZER_INVALID');
    expect(error.message).toContain('behavior');
  });
});
