/**
 * Tokenizer files for the BPE parity suite, written as tokenizer.json into a temporary directory so that the
 * reference (`tokenizers`) and the native tokenizer load the very same file. Two sources of vocabulary:
 * - roberta-base's real file (realdata) with its pre-tokenizer or post-processor swapped for the variant under test;
 * - a classic (non-byte-level) BPE trained here, deterministically, on SST-2 words, with the model options under
 *   test (continuing_subword_prefix, end_of_word_suffix, unk_token, fuse_unk, byte_fallback, ignore_merges,
 *   merges as "a b" strings or [a, b] pairs).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { realdata } from './realdata';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

/** A directory for this run's tokenizer files; removed by `removeFixtureDir`. */
export function makeFixtureDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'bpe-parity-'));
}

export function removeFixtureDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}

export function writeTokenizer(dir: string, name: string, json: Json): string {
  const p = path.join(dir, `${name}.json`);
  fs.writeFileSync(p, JSON.stringify(json));
  return p;
}

/** roberta-base's tokenizer.json, parsed (a fresh copy each call, so variants never leak into each other). */
export function robertaJson(): Json {
  return JSON.parse(fs.readFileSync(realdata('tokenizers', 'roberta-base', 'tokenizer.json'), 'utf8'));
}

export interface ClassicOptions {
  prefix?: string | null;
  suffix?: string | null;
  unk?: string | null;
  fuseUnk?: boolean;
  /** Adds <0xNN> tokens for bytes below this value (256: all of them). */
  byteFallbackBelow?: number;
  ignoreMerges?: boolean;
  /** Serialize merges as [a, b] pairs instead of "a b" strings. */
  pairMerges?: boolean;
  merges?: number;
}

/** Adds `token` to `vocab` with the next id, unless present. */
function add(vocab: Record<string, number>, token: string): void {
  if (!(token in vocab)) vocab[token] = Object.keys(vocab).length;
}

/**
 * A classic BPE model trained on `words`: characters (decorated with the prefix when not word-initial and the
 * suffix when word-final) are the initial alphabet; the most frequent adjacent pair is merged `merges` times
 * (ties broken by the pair's text, so training is deterministic).
 */
export function trainClassicBpe(words: string[], opts: ClassicOptions): Json {
  const prefix = opts.prefix ?? '';
  const suffix = opts.suffix ?? '';
  const vocab: Record<string, number> = {};
  for (const special of ['<s>', '</s>', '<pad>']) add(vocab, special);
  if (opts.unk) add(vocab, opts.unk);
  const counts = new Map<string, number>();
  for (const w of words) counts.set(w, (counts.get(w) ?? 0) + 1);
  const seqs: Array<{ symbols: string[]; count: number }> = [];
  for (const [w, count] of counts) {
    const chars = Array.from(w);
    const symbols = chars.map((c, i) => (i > 0 ? prefix : '') + c + (i === chars.length - 1 ? suffix : ''));
    symbols.forEach((s) => add(vocab, s));
    seqs.push({ symbols, count });
  }
  const merges: Array<[string, string]> = [];
  const strip = (s: string) => (prefix && s.startsWith(prefix) ? s.slice(prefix.length) : s);
  for (let m = 0; m < (opts.merges ?? 400); m++) {
    const pairs = new Map<string, number>();
    for (const { symbols, count } of seqs) {
      for (let i = 0; i + 1 < symbols.length; i++) {
        const key = `${symbols[i]}\u0000${symbols[i + 1]}`;
        pairs.set(key, (pairs.get(key) ?? 0) + count);
      }
    }
    let best: string | null = null;
    let bestCount = 1;
    for (const [key, c] of pairs) {
      if (c > bestCount || (c === bestCount && best !== null && key < best)) {
        best = key;
        bestCount = c;
      }
    }
    if (best === null) break;
    const [a, b] = best.split('\u0000');
    const merged = a + strip(b);
    merges.push([a, b]);
    add(vocab, merged);
    for (const seq of seqs) {
      const out: string[] = [];
      for (let i = 0; i < seq.symbols.length; i++) {
        if (i + 1 < seq.symbols.length && seq.symbols[i] === a && seq.symbols[i + 1] === b) {
          out.push(merged);
          i++;
        } else out.push(seq.symbols[i]);
      }
      seq.symbols = out;
    }
  }
  if (opts.byteFallbackBelow) {
    for (let b = 0; b < opts.byteFallbackBelow; b++) add(vocab, `<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`);
  }
  if (opts.ignoreMerges) {
    // Whole words the merges would never produce, so ignore_merges visibly changes the output.
    for (const w of ['the', 'movie', 'film', 'Hello', 'zzz']) add(vocab, w);
  }
  return {
    type: 'BPE',
    dropout: null,
    unk_token: opts.unk ?? null,
    continuing_subword_prefix: opts.prefix ?? null,
    end_of_word_suffix: opts.suffix ?? null,
    fuse_unk: opts.fuseUnk ?? false,
    byte_fallback: Boolean(opts.byteFallbackBelow),
    ignore_merges: opts.ignoreMerges ?? false,
    vocab,
    merges: opts.pairMerges ? merges : merges.map(([a, b]) => `${a} ${b}`),
  };
}

/** A whole tokenizer.json around a model, with <s>/</s> as special added tokens. */
export function tokenizerJson(model: Json, preTokenizer: Json, postProcessor: Json = null): Json {
  const vocab = model.vocab as Record<string, number>;
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: ['<s>', '</s>', '<pad>'].map((content) => ({
      id: vocab[content],
      content,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    })),
    normalizer: null,
    pre_tokenizer: preTokenizer,
    post_processor: postProcessor,
    decoder: null,
    model,
  };
}
