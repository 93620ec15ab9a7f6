/**
 * The WordPiece model's edge cases against Hugging Face `tokenizers`: small hand-written vocabularies (in a temporary
 * directory, WhitespaceSplit only, no normalizer or post-processor) that force the longest-match search to fall
 * back, to give up (the whole word becomes the unknown token), to use an empty or unusual continuation prefix, to
 * match pieces of several code points (including astral ones) and to honour max_input_chars_per_word. Every field
 * of every encoding must be identical. Complements tokenizer-parity.spec.ts, whose real vocabularies rarely reach
 * these paths.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Tokenizer as HfTokenizer } from 'tokenizers';
import { Tokenizer } from '../../lib';
import { diffEncoding, fromNative, fromReference, RefEncoding } from './encoding-compare';

interface Case {
  name: string;
  vocab: string[];
  prefix?: string;
  maxChars?: number;
  texts: string[];
}

const CASES: Case[] = [
  {
    name: 'fallback to shorter pieces and to the unknown token',
    vocab: ['[UNK]', 'a', 'ab', 'abc', 'abcdx', '##b', '##bc', '##c', '##d', '##cd', 'x', '##', '###', '####', '##x'],
    texts: ['abcd', 'abd', 'abc', 'abcdx', 'abcdy', 'xd', 'xx', 'xyz', 'a##b', '##', '###b', 'b', 'abab', 'a b c'],
  },
  {
    name: 'empty continuation prefix',
    prefix: '',
    vocab: ['[UNK]', 'un', 'una', 'aff', 'ffa', 'able', 'ble', 'a', 'b', 'l', 'e', 'f'],
    texts: ['unaffable', 'affable', 'unable', 'fable', 'zzz', 'una', 'ablea'],
  },
  {
    name: 'custom prefix and multi-byte pieces',
    prefix: '@@',
    vocab: ['[UNK]', 'é', '@@é', '日本', '@@語', '日', '😀', '@@😀', '@@', 'e', '@@\u0301', 'ß', '@@ss'],
    texts: ['éé', '日本語', '日語', '😀😀😀', 'e\u0301', 'ßss', '@@é', '語'],
  },
  {
    name: 'max_input_chars_per_word',
    maxChars: 5,
    vocab: ['[UNK]', 'a', '##a', 'b', '##b', '😀', '##😀'],
    texts: ['aaaaa', 'aaaaaa', 'ababa', '😀😀😀😀😀', '😀😀😀😀😀😀', 'a'],
  },
  {
    name: 'max_input_chars_per_word of zero',
    maxChars: 0,
    vocab: ['[UNK]', 'a'],
    texts: ['a', 'a a'],
  },
];

function tokenizerJson(c: Case): string {
  const vocab: Record<string, number> = {};
  c.vocab.forEach((token, id) => {
    vocab[token] = id;
  });
  return JSON.stringify({
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [],
    normalizer: null,
    pre_tokenizer: { type: 'WhitespaceSplit' },
    post_processor: null,
    decoder: null,
    model: {
      type: 'WordPiece',
      unk_token: '[UNK]',
      continuing_subword_prefix: c.prefix ?? '##',
      max_input_chars_per_word: c.maxChars ?? 100,
      vocab,
    },
  });
}

let dir: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wordpiece-model-'));
});

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe.each(CASES)('WordPiece: $name', (c) => {
  test('every encoding is identical to the reference', async () => {
    const file = path.join(dir, `${c.name.replace(/\W+/g, '-')}.json`);
    fs.writeFileSync(file, tokenizerJson(c));
    const ours = await Tokenizer.fromFile(file);
    const reference = HfTokenizer.fromFile(file);
    const problems: string[] = [];
    for (const text of c.texts) {
      const expected = fromReference((await reference.encode(text, null)) as unknown as RefEncoding);
      const actual = fromNative(await ours.encode(text));
      const diff = diffEncoding(actual, expected);
      if (diff) problems.push(`${JSON.stringify(text)}: ${diff}`);
    }
    expect(problems).toEqual([]);
  });
});
