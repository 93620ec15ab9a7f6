/**
 * Tokenizer files built for a test: the JSON is written to a temp file and BOTH implementations load that same
 * file (the reference with `Tokenizer.fromFile`, the native one with ours), so a test exercises exactly the
 * components it names. Files are removed after the test file that imported this module (jest loads modules per
 * test file, so this afterAll joins that file's root suite; process 'exit' never fires between files).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Tokenizer as HfTokenizer } from 'tokenizers';
import { Tokenizer } from '../../lib';

export type RefTokenizer = InstanceType<typeof HfTokenizer>;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'built-tokenizers-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
let counter = 0;

/** Writes `json` to a fresh temp file and returns its path. */
export function writeTokenizerFile(json: object): string {
  const file = path.join(dir, `tokenizer-${process.pid}-${counter++}.json`);
  fs.writeFileSync(file, JSON.stringify(json));
  return file;
}

export interface BothTokenizers {
  file: string;
  ref: RefTokenizer;
  native: Tokenizer;
}

/** Loads one tokenizer file into both implementations. */
export async function loadBoth(json: object): Promise<BothTokenizers> {
  const file = writeTokenizerFile(json);
  return { file, ref: HfTokenizer.fromFile(file), native: await Tokenizer.fromFile(file) };
}

/** An added token entry as tokenizer.json stores it. */
export function addedToken(id: number, content: string, special = true): object {
  return { id, content, single_word: false, lstrip: false, rstrip: false, normalized: !special, special };
}

/** A WordPiece model over `tokens` (ids in order), with "[UNK]" as the unknown token. */
export function wordPieceModel(tokens: string[], maxInputCharsPerWord = 100): object {
  const vocab: Record<string, number> = {};
  tokens.forEach((t, i) => {
    if (!(t in vocab)) vocab[t] = i;
  });
  return {
    type: 'WordPiece',
    unk_token: '[UNK]',
    continuing_subword_prefix: '##',
    max_input_chars_per_word: maxInputCharsPerWord,
    vocab,
  };
}

/** A whole tokenizer.json; every component defaults to null. */
export function tokenizerJson(parts: {
  model: object;
  added_tokens?: object[];
  normalizer?: object | null;
  pre_tokenizer?: object | null;
  post_processor?: object | null;
  decoder?: object | null;
  truncation?: object | null;
  padding?: object | null;
}): object {
  return {
    version: '1.0',
    truncation: parts.truncation ?? null,
    padding: parts.padding ?? null,
    added_tokens: parts.added_tokens ?? [],
    normalizer: parts.normalizer ?? null,
    pre_tokenizer: parts.pre_tokenizer ?? null,
    post_processor: parts.post_processor ?? null,
    decoder: parts.decoder ?? null,
    model: parts.model,
  };
}
