import type { RawWindow } from './evaluation-job';
import type { WindowBuffer } from './window-buffer';

/** A buffer's filled rows as views (no copy), ready to be transferred to the evaluation thread. */
export function rawWindow(buffer: WindowBuffer, labels: readonly string[]): RawWindow {
  const n = buffer.size;
  return {
    size: n,
    rawDim: buffer.embeddingDim,
    embedding: buffer.embedding.subarray(0, n * buffer.embeddingDim),
    confidence: buffer.confidence.subarray(0, n),
    entropy: buffer.entropy.subarray(0, n),
    tokenCount: buffer.tokenCount.subarray(0, n),
    unknownShare: buffer.unknownShare.subarray(0, n),
    nonLetterShare: buffer.nonLetterShare.subarray(0, n),
    truncated: buffer.truncated.subarray(0, n),
    label: buffer.label.subarray(0, n),
    labels: [...labels],
  };
}
