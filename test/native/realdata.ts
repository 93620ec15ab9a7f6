/**
 * Locates the shared real-data directory (`../shared/realdata` relative to the project root) and the project's own
 * test assets. Files are read in place; nothing is ever copied into the repository.
 *
 * A test that needs a file that is absent must FAIL (never skip), so every resolver here throws an Error naming
 * the missing path. Call them inside beforeAll/test bodies so the failure is attributed to the tests that need it.
 */
import * as fs from 'fs';
import * as path from 'path';

/** The project root (this file lives in <root>/test/native). */
export const PROJECT_ROOT = path.resolve(__dirname, '..', '..');

/** Where the shared real data is expected: a `shared/realdata` directory beside the project. */
export const REALDATA_DIR = path.resolve(PROJECT_ROOT, '..', 'shared', 'realdata');

function missing(p: string): Error {
  return new Error(`realdata not found at ${p}: these tests need ../shared/realdata beside the project`);
}

/** Absolute path of a file or directory under ../shared/realdata; throws a clear error when absent. */
export function realdata(...parts: string[]): string {
  if (!fs.existsSync(REALDATA_DIR) || !fs.statSync(REALDATA_DIR).isDirectory()) throw missing(REALDATA_DIR);
  const p = path.join(REALDATA_DIR, ...parts);
  if (!fs.existsSync(p)) throw missing(p);
  return p;
}

/** Parses a JSON file under ../shared/realdata. */
export function realdataJson<T = unknown>(...parts: string[]): T {
  return JSON.parse(fs.readFileSync(realdata(...parts), 'utf8')) as T;
}

/** Reads a text file under ../shared/realdata. */
export function realdataText(...parts: string[]): string {
  return fs.readFileSync(realdata(...parts), 'utf8');
}

/**
 * Absolute path of a file the project itself provides (e.g. models/demo-sentiment/model.onnx,
 * test/fixtures/demo-sentiment-pytorch.json); throws a clear error when absent.
 */
export function projectFile(relative: string, whatItIs: string): string {
  const p = path.join(PROJECT_ROOT, relative);
  if (!fs.existsSync(p)) {
    throw new Error(`${whatItIs} not found at ${p}: these tests need ${relative} in the project`);
  }
  return p;
}

/** The four WordPiece tokenizer files under realdata/tokenizers that the native tokenizer must reproduce. */
export const WORDPIECE_TOKENIZERS = ['bert-base-uncased', 'bert-base-cased', 'all-MiniLM-L6-v2', 'bge-small-en'] as const;

/** The 872 SST-2 dev sentences (the label column is dropped; the trailing space of each line is kept). */
export function sst2Sentences(): string[] {
  const lines = realdataText('corpora', 'sst2-dev.tsv').split('\n');
  const header = lines.shift();
  if (header === undefined || !header.startsWith('sentence\tlabel')) {
    throw new Error(`unexpected header in ${realdata('corpora', 'sst2-dev.tsv')}: ${JSON.stringify(header)}`);
  }
  return lines.filter((l) => l.length > 0).map((l) => l.slice(0, l.lastIndexOf('\t')));
}

export interface MultilingualInput {
  id: string;
  category: string;
  text: string;
}

/** The 30 multilingual stress inputs (realdata/expected/multilingual/inputs.json). */
export function multilingualInputs(): MultilingualInput[] {
  return realdataJson<{ inputs: MultilingualInput[] }>('expected', 'multilingual', 'inputs.json').inputs;
}

/**
 * Realm-independent type checks. Jest runs each test file in its own vm context, while a native addon creates its
 * objects (typed arrays, errors) in Node's main context, so `x instanceof Float32Array` or `toBeInstanceOf(Error)`
 * can be false for perfectly correct values. These check the built-in tag and the constructor's name instead.
 */
export function tagOf(x: unknown): string {
  return Object.prototype.toString.call(x).slice(8, -1);
}

export function isError(x: unknown): x is Error & { code?: unknown } {
  return x instanceof Error || tagOf(x) === 'Error';
}

/** 'TypeError', 'RangeError', 'Error', ... (by name, whichever realm made it). */
export function errorKind(x: unknown): string {
  const n = (x as { constructor?: { name?: string } } | null)?.constructor?.name;
  return typeof n === 'string' ? n : String((x as { name?: unknown } | null)?.name);
}
