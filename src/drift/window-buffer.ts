import type { PredictionSample } from './prediction-sample';

/**
 * The open window of one model version: the features of up to `capacity` predictions in typed arrays allocated
 * once (memory is bounded by capacity x (embedding width + 8) numbers), raw embeddings included; they are
 * projected when the window is evaluated, off the event loop.
 */
export class WindowBuffer {
  readonly embedding: Float32Array;
  readonly confidence: Float64Array;
  readonly entropy: Float64Array;
  readonly tokenCount: Float64Array;
  readonly unknownShare: Float64Array;
  readonly nonLetterShare: Float64Array;
  readonly truncated: Uint8Array;
  readonly label: Uint16Array;
  private count = 0;
  /** When the first prediction arrived (ms since the epoch); undefined while empty. */
  startedAt: number | undefined;

  constructor(
    readonly capacity: number,
    /** Width of the raw embeddings; 0 when the model has none. */
    readonly embeddingDim: number,
  ) {
    this.embedding = new Float32Array(capacity * embeddingDim);
    this.confidence = new Float64Array(capacity);
    this.entropy = new Float64Array(capacity);
    this.tokenCount = new Float64Array(capacity);
    this.unknownShare = new Float64Array(capacity);
    this.nonLetterShare = new Float64Array(capacity);
    this.truncated = new Uint8Array(capacity);
    this.label = new Uint16Array(capacity);
  }

  get size(): number {
    return this.count;
  }

  get full(): boolean {
    return this.count >= this.capacity;
  }

  /**
   * Appends one prediction; false (and nothing stored) when the buffer is full or the sample does not fit this
   * version (an embedding of another width, a label outside the model's).
   */
  push(sample: PredictionSample, now: number): boolean {
    if (this.count >= this.capacity || sample.label < 0) return false;
    if (this.embeddingDim > 0) {
      if (!sample.embedding || sample.embedding.length !== this.embeddingDim) return false;
      this.embedding.set(sample.embedding, this.count * this.embeddingDim);
    }
    const i = this.count++;
    this.confidence[i] = sample.confidence;
    this.entropy[i] = sample.entropy;
    this.tokenCount[i] = sample.tokenCount;
    this.unknownShare[i] = sample.unknownShare;
    this.nonLetterShare[i] = sample.nonLetterShare;
    this.truncated[i] = sample.truncated ? 1 : 0;
    this.label[i] = sample.label;
    this.startedAt ??= now;
    return true;
  }
}
