/**
 * decode / decodeBatch parity with Hugging Face `tokenizers`, for every decoder type, on tokenizer files built
 * here (a WordPiece-shaped vocabulary holding the token shapes each decoder cares about: "##" continuations,
 * byte-level characters including partial UTF-8 sequences, "▁" word starts, "<0xHH>" byte tokens, "</w>"
 * suffixes, CTC pads and delimiters) and loaded by both implementations, on seeded random id lists (unknown and
 * special ids included), with and without skipSpecialTokens; plus decode(encode(x)) on the real BERT files.
 */
import { Tokenizer as HfTokenizer } from 'tokenizers';
import { Tokenizer } from '../../lib';
import { addedToken, loadBoth, tokenizerJson, wordPieceModel } from './built-tokenizers';
import { realdata, sst2Sentences } from './realdata';
import { seededRandom } from './tricky-strings';

const VOCAB = [
  '[UNK]', '[CLS]', '[SEP]', '<pad>',
  'hello', '##ing', '##s', 'do', 'not', "'s", '.', ',', '?', "n't", "'", 'a', 'b', '##', '##a',
  // byte level: "Ġ" is a space, "Ã©" is é, "âĤ¬" is €, "Ã" / "ð" alone are truncated sequences
  'Ġhello', 'Ġw', 'Ã©', 'âĤ¬', 'Ã', 'ð', 'ŁĺĢ', 'Ċ', 'plain€',
  // metaspace / replace
  '▁hello', '▁', '▁a▁b', 'c▁',
  // byte fallback (valid, invalid, odd forms)
  '<0x61>', '<0xE2>', '<0x82>', '<0xAC>', '<0xFF>', '<0x+A>', '<0X61>', '<0xg1>',
  // BPE suffix, CTC, strip
  'a</w>', 'b</w>c</w>', '|', 'h|i', 'a<pad>b', 'xab', 'abx', 'xxa',
];

const DECODERS: Array<[string, object]> = [
  ['WordPiece (default prefix, cleanup)', { type: 'WordPiece', prefix: '##', cleanup: true }],
  ['WordPiece without cleanup', { type: 'WordPiece', prefix: '##', cleanup: false }],
  ['ByteLevel', { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true }],
  ['Metaspace always', { type: 'Metaspace', replacement: '▁', prepend_scheme: 'always', split: true }],
  ['Metaspace never', { type: 'Metaspace', replacement: '▁', prepend_scheme: 'never', split: true }],
  ['Metaspace first', { type: 'Metaspace', replacement: '▁', prepend_scheme: 'first', split: false }],
  ['BPEDecoder', { type: 'BPEDecoder', suffix: '</w>' }],
  ['Replace (string)', { type: 'Replace', pattern: { String: '▁' }, content: ' ' }],
  ['Replace (regex)', { type: 'Replace', pattern: { Regex: '[ab]+' }, content: '<$>' }],
  ['ByteFallback', { type: 'ByteFallback' }],
  ['Fuse', { type: 'Fuse' }],
  ['Strip', { type: 'Strip', content: 'x', start: 1, stop: 1 }],
  ['CTC', { type: 'CTC', pad_token: '<pad>', word_delimiter_token: '|', cleanup: true }],
  ['CTC without cleanup', { type: 'CTC', pad_token: '<pad>', word_delimiter_token: '|', cleanup: false }],
  [
    'Sequence (the Llama-style chain)',
    {
      type: 'Sequence',
      decoders: [
        { type: 'Replace', pattern: { String: '▁' }, content: ' ' },
        { type: 'ByteFallback' },
        { type: 'Fuse' },
        { type: 'Strip', content: ' ', start: 1, stop: 0 },
      ],
    },
  ],
  ['no decoder (tokens joined by spaces)', null as unknown as object],
];

function randomIdLists(seed: number, count: number): number[][] {
  const rnd = seededRandom(seed);
  const lists: number[][] = [[]];
  for (let i = 0; i < count; i++) {
    const n = 1 + Math.floor(rnd() * 12);
    // A few ids beyond the vocabulary: the reference skips them.
    lists.push(Array.from({ length: n }, () => Math.floor(rnd() * (VOCAB.length + 3))));
  }
  return lists;
}

describe.each(DECODERS)('decoder %s', (_name, decoder) => {
  test('decode and decodeBatch on random id lists, with and without skipSpecialTokens', async () => {
    const { ref, native } = await loadBoth(
      tokenizerJson({
        model: wordPieceModel(VOCAB),
        added_tokens: [addedToken(0, '[UNK]'), addedToken(1, '[CLS]'), addedToken(2, '[SEP]'), addedToken(3, '<pad>')],
        pre_tokenizer: { type: 'WhitespaceSplit' },
        decoder,
      }),
    );
    const lists = randomIdLists(7, 300);
    for (const skipSpecialTokens of [false, true]) {
      const expected: string[] = [];
      for (const ids of lists) expected.push(await ref.decode(ids, skipSpecialTokens));
      const each = await Promise.all(lists.map((ids) => native.decode(ids, { skipSpecialTokens })));
      const batch = await native.decodeBatch(lists, { skipSpecialTokens });
      const typed = await native.decodeBatch(lists.map((l) => Uint32Array.from(l)), { skipSpecialTokens });
      const bad = lists
        .map((ids, i) => ({ ids, tokens: ids.map((id) => VOCAB[id]), expected: expected[i], decode: each[i], batch: batch[i], typed: typed[i] }))
        .filter((r) => r.decode !== r.expected || r.batch !== r.expected || r.typed !== r.expected);
      expect(bad.slice(0, 3)).toEqual([]);
    }
  });
});

describe('decode(encode(x)) on the real WordPiece files', () => {
  test.each(['bert-base-uncased', 'bert-base-cased'])('%s, SST-2, skipSpecialTokens both ways', async (name) => {
    const file = realdata('tokenizers', name, 'tokenizer.json');
    const ref = HfTokenizer.fromFile(file);
    const native = await Tokenizer.fromFile(file);
    const texts = sst2Sentences().slice(0, 200);
    const encodings = await native.encodeBatch(texts);
    const idLists = encodings.map((e) => Array.from(e.ids));
    for (const skipSpecialTokens of [true, false]) {
      const expected = await ref.decodeBatch(idLists, skipSpecialTokens);
      const actual = await native.decodeBatch(idLists, { skipSpecialTokens });
      const bad = texts.map((t, i) => [t, expected[i], actual[i]]).filter(([, x, a]) => x !== a);
      expect(bad.slice(0, 3)).toEqual([]);
    }
  });
});

describe('decode errors', () => {
  test('an unknown decoder type is TOKENIZER_UNSUPPORTED at load, naming it', async () => {
    const { writeTokenizerFile } = await import('./built-tokenizers');
    const file = writeTokenizerFile(tokenizerJson({ model: wordPieceModel(VOCAB), decoder: { type: 'Mystery' } }));
    await expect(Tokenizer.fromFile(file)).rejects.toMatchObject({ code: 'TOKENIZER_UNSUPPORTED', message: expect.stringMatching(/Mystery/) });
  });

  test('a malformed decoder field is TOKENIZER_INVALID naming it', async () => {
    const { writeTokenizerFile } = await import('./built-tokenizers');
    const file = writeTokenizerFile(
      tokenizerJson({ model: wordPieceModel(VOCAB), decoder: { type: 'Strip', content: 'ab', start: 1, stop: 0 } }),
    );
    await expect(Tokenizer.fromFile(file)).rejects.toMatchObject({ code: 'TOKENIZER_INVALID', message: expect.stringMatching(/content/) });
  });

  test('ids that are not integers in [0, 2^32) throw TypeError/RangeError with INVALID_ARGUMENT', async () => {
    const native = await Tokenizer.fromFile(realdata('tokenizers', 'bert-base-uncased', 'tokenizer.json'));
    const cases: Array<[() => unknown, string, RegExp]> = [
      [() => native.decode('1 2' as never), 'TypeError', /for ids/],
      [() => native.decode([1, -1]), 'RangeError', /for ids\[1\]/],
      [() => native.decode([1.5]), 'RangeError', /for ids\[0\]/],
      [() => native.decode(['a'] as never), 'TypeError', /for ids\[0\]/],
      [() => native.decode([1], { skipSpecialTokens: 1 } as never), 'TypeError', /for options.skipSpecialTokens/],
      [() => native.decodeBatch([[1], 'x'] as never), 'TypeError', /for idLists\[1\]/],
    ];
    for (const [fn, kind, message] of cases) {
      let thrown: (Error & { code?: string }) | null = null;
      try {
        fn();
      } catch (e) {
        thrown = e as Error & { code?: string };
      }
      expect(thrown?.constructor.name).toBe(kind);
      expect(thrown?.code).toBe('INVALID_ARGUMENT');
      expect(thrown?.message).toMatch(message);
    }
  });
});
