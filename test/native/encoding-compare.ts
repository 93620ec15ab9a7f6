/**
 * Helpers for comparing the native tokenizer's encodings with Hugging Face `tokenizers` (the reference), with
 * diagnostics that show the first mismatching input, the field, the first differing position and both token lists.
 */
import type { Encoding, EncodeInput } from '../../lib';
import { tagOf } from './realdata';

/** An encoding as plain arrays, whichever implementation produced it. */
export interface PlainEncoding {
  ids: number[];
  typeIds: number[];
  attentionMask: number[];
  specialTokensMask: number[];
  offsets: Array<[number, number]>;
  tokens: string[];
}

export const ENCODING_FIELDS: ReadonlyArray<keyof PlainEncoding> = [
  'ids',
  'typeIds',
  'attentionMask',
  'specialTokensMask',
  'offsets',
  'tokens',
];

/** Minimal shape of the reference (`tokenizers` package) encoding. */
export interface RefEncoding {
  getIds(): number[];
  getTypeIds(): number[];
  getAttentionMask(): number[];
  getSpecialTokensMask(): number[];
  getOffsets(): number[][];
  getTokens(): string[];
}

export function fromReference(e: RefEncoding): PlainEncoding {
  return {
    ids: Array.from(e.getIds()),
    typeIds: Array.from(e.getTypeIds()),
    attentionMask: Array.from(e.getAttentionMask()),
    specialTokensMask: Array.from(e.getSpecialTokensMask()),
    offsets: e.getOffsets().map((o) => [o[0], o[1]] as [number, number]),
    tokens: Array.from(e.getTokens()),
  };
}

/** Converts a native encoding, checking the declared container types on the way. */
export function fromNative(e: Encoding): PlainEncoding {
  const problems: string[] = [];
  for (const f of ['ids', 'typeIds', 'attentionMask', 'specialTokensMask'] as const) {
    if (tagOf(e[f]) !== 'Uint32Array') problems.push(`${f} is not a Uint32Array (${tagOf(e[f])})`);
  }
  if (!Array.isArray(e.offsets)) problems.push(`offsets is not an array (${tagOf(e.offsets)})`);
  if (!Array.isArray(e.tokens)) problems.push(`tokens is not an array (${tagOf(e.tokens)})`);
  if (problems.length) throw new Error(`native Encoding does not have the declared shape: ${problems.join('; ')}`);
  return {
    ids: Array.from(e.ids),
    typeIds: Array.from(e.typeIds),
    attentionMask: Array.from(e.attentionMask),
    specialTokensMask: Array.from(e.specialTokensMask),
    offsets: e.offsets.map((o) => [o[0], o[1]] as [number, number]),
    tokens: Array.from(e.tokens),
  };
}

function show(v: unknown): string {
  return JSON.stringify(v);
}

/** Returns null when equal, else a description of the first difference between two encodings. */
export function diffEncoding(actual: PlainEncoding, expected: PlainEncoding): string | null {
  for (const f of ENCODING_FIELDS) {
    const a = actual[f] as unknown[];
    const x = expected[f] as unknown[];
    const n = Math.max(a.length, x.length);
    for (let i = 0; i < n; i++) {
      if (show(a[i]) !== show(x[i])) {
        return (
          `field ${f} differs at position ${i} (native length ${a.length}, reference length ${x.length}): ` +
          `expected ${show(x[i])} but received ${show(a[i])}\n` +
          `  reference tokens: ${show(expected.tokens)}\n` +
          `  native tokens:    ${show(actual.tokens)}\n` +
          `  reference ${f}: ${show(x)}\n` +
          `  native ${f}:    ${show(a)}`
        );
      }
    }
  }
  return null;
}

export function describeInput(input: EncodeInput): string {
  if (typeof input === 'string') return `text ${show(input)} (${Array.from(input).length} code points)`;
  return `pair ${show(input[0])} + ${show(input[1])}`;
}

/**
 * Compares lists of encodings; returns '' when all equal, else a report of how many differ and the first few
 * (input shown JSON-escaped so control characters and lone surrogates are visible).
 */
export function mismatchReport(
  what: string,
  inputs: EncodeInput[],
  actual: PlainEncoding[],
  expected: PlainEncoding[],
  maxShown = 3,
): string {
  if (actual.length !== expected.length) {
    return `${what}: native returned ${actual.length} encodings for ${inputs.length} inputs (reference ${expected.length})`;
  }
  const lines: string[] = [];
  let count = 0;
  for (let i = 0; i < inputs.length; i++) {
    const d = diffEncoding(actual[i], expected[i]);
    if (d !== null) {
      count++;
      if (count <= maxShown) lines.push(`#${i} ${describeInput(inputs[i])}\n  ${d}`);
    }
  }
  if (count === 0) return '';
  return `${what}: ${count} of ${inputs.length} inputs differ from the reference; first ${Math.min(count, maxShown)}:\n${lines.join('\n')}`;
}
