/**
 * Public API of the native engine (the package's main entry).
 *
 * Every method that does real work (loading, tokenizing, inference) runs on native threads and returns a
 * Promise; the JS thread only validates arguments and hands plain data over. Every failure is an
 * {@link EngineError} with a stable `code`.
 */

/** Stable error codes, shared by the native engine and the HTTP service (which maps them to statuses). */
export type ErrorCode =
  /** A JS argument had the wrong type or value (thrown synchronously as TypeError/RangeError). */
  | 'INVALID_ARGUMENT'
  /** The model directory does not exist or is not a directory. */
  | 'MODEL_NOT_FOUND'
  /** A file the model directory needs (model.onnx, tokenizer.json) is absent; the message names it. */
  | 'FILE_MISSING'
  /** ONNX Runtime could not load model.onnx, or its inputs/outputs are not those of a classifier. */
  | 'MODEL_INVALID'
  /** tokenizer.json is not valid JSON or is missing required fields. */
  | 'TOKENIZER_INVALID'
  /** tokenizer.json uses a component this engine does not implement (the message names it). */
  | 'TOKENIZER_UNSUPPORTED'
  /** config.json is not valid JSON or its fields have the wrong shape. */
  | 'CONFIG_INVALID'
  /** ONNX Runtime failed while running a batch. */
  | 'INFERENCE_FAILED'
  /** The engine was closed; no further calls are accepted. */
  | 'ENGINE_CLOSED'
  /** The engine's queue is full (queueCapacity texts waiting); retry later. The service answers 429. */
  | 'OVERLOADED'
  /** The call's timeoutMs passed before it ran; it cost no compute. */
  | 'TIMEOUT'
  /** The call's AbortSignal fired before it ran; it cost no compute. */
  | 'CANCELLED'
  /** The requested execution provider (e.g. CUDA) cannot be used; the message carries ONNX Runtime's reason. */
  | 'DEVICE_UNAVAILABLE'
  /** A broken invariant inside the engine. This is a bug. */
  | 'INTERNAL';

export interface EngineError extends Error {
  code: ErrorCode;
}

/** The list of every error code, in the order of the native enum (useful for exhaustive maps). */
export const ERROR_CODES: readonly ErrorCode[];

export interface EngineOptions {
  /** Threads ONNX Runtime uses inside one operator, per runner. Default: the cores divided among the runners. */
  intraOpThreads?: number;
  /** Threads ONNX Runtime uses across operators. Default: 1. */
  interOpThreads?: number;
  /**
   * Run on the process-wide ONNX Runtime thread pools (one intra-op thread per core, shared by every engine loaded
   * with this option) instead of threads of this engine's own; intraOpThreads and interOpThreads are then unused.
   * For several engines loaded at once (production, canary, shadow). Default false.
   */
  sharedThreads?: boolean;
  /** Caps the token length of every input (special tokens included). Default: the model's own maximum. */
  maxLength?: number;
  /** Most rows (texts) in one batch. Default 32. */
  maxBatchSize?: number;
  /** Most tokens in one batch, counted as longest row x rows (the padded size). Default 16384. */
  maxBatchTokens?: number;
  /** How long the oldest queued text may wait for its batch to fill, in milliseconds. Default 2. */
  maxWaitMs?: number;
  /** Most texts waiting for a batch; beyond it calls reject at once with OVERLOADED. Default 4096. */
  queueCapacity?: number;
  /** Batches computed at the same time (each uses intraOpThreads). Default 2 on machines with 2 or more cores. */
  runners?: number;
  /** A batch stops growing when padding would exceed this share of its cells (wasted compute on a CPU). Default 0.1. */
  maxPaddingRatio?: number;
  /**
   * Nice levels (0-19) the engine's threads run below the process: the batcher, the runners and ONNX Runtime's
   * intra-op threads. Where they share cores with the JS thread, the event loop then gets a core first when both
   * want one, and the engine still gets the rest (Linux shares CPU by weight; nothing starves). The shared pools
   * (sharedThreads) are created by the first engine loaded in the process and take its value. Default 0.
   */
  threadNiceness?: number;
  /** 'cpu' (default), 'cuda' (DEVICE_UNAVAILABLE when it cannot be used) or 'auto' (CUDA if usable, else CPU). */
  device?: 'cpu' | 'cuda' | 'auto';
  /** The CUDA device. Default 0. */
  deviceId?: number;
  /** ONNX Runtime graph optimization. Default 'all'. */
  graphOptimizationLevel?: 'disabled' | 'basic' | 'extended' | 'all';
  /** ONNX Runtime writes the optimized graph to this file (a later load can start from it). */
  optimizedModelPath?: string;
  /** Classification results kept in an LRU cache keyed by text; 0 turns it off. Default 1024. */
  cacheSize?: number;
  /**
   * Drift capture: each Classification carries `features` (token counts, truncation, unknown tokens and, when the
   * model has an embedding output, the sentence embedding), taken from the same forward pass. Default false.
   */
  captureFeatures?: boolean;
  /**
   * The model output holding the sentence embedding ([batch, dim], or [batch, tokens, dim] whose first token is
   * used). Default: found by name (sentence_embedding, pooler_output, pooled_output, embeddings,
   * sentence_embeddings, embedding, then last_hidden_state). When it is absent, info().drift.unavailable says why.
   */
  embeddingOutput?: string;
}

export interface CallOptions {
  /** Reject with TIMEOUT if the call has not started computing within this many milliseconds. */
  timeoutMs?: number;
  /** Reject with CANCELLED when this signal aborts before the call started computing. */
  signal?: AbortSignal;
}

/** A histogram in Prometheus' shape: per-bucket counts (not cumulative; the last bucket is +Inf), count, sum. */
export interface Histogram {
  bounds: number[];
  counts: number[];
  count: number;
  sum: number;
}

export interface EngineStats {
  /** Accepted classify/run calls. */
  requests: number;
  /** Texts computed (cache hits excluded). */
  rows: number;
  batches: number;
  /** Texts waiting for a batch right now. */
  queueDepth: number;
  inFlightBatches: number;
  /** Hand-overs of finished calls to the JS thread: one per group that finished together (a batch's calls). */
  deliveries: number;
  cache: { hits: number; misses: number; size: number };
  /** Calls rejected, by error code (OVERLOADED, TIMEOUT, CANCELLED). */
  rejections: Partial<Record<ErrorCode, number>>;
  batchSize: Histogram;
  /** Padded cells / all cells of each batch. */
  paddingRatio: Histogram;
  /** Per call: submission to the start of its (last) batch, in ms. */
  queueMs: Histogram;
  /** Per call: tokenization time, in ms. */
  tokenizeMs: Histogram;
  /** Per batch: ONNX Runtime time, in ms. */
  inferenceMs: Histogram;
}

/** What drift detection needs of one text, captured with its classification (engine option captureFeatures). */
export interface CapturedFeatures {
  /**
   * The sentence embedding (a view into one buffer shared by the call's results; copy it to keep it apart).
   * Absent when the model has no embedding output (see EngineInfo.drift.unavailable).
   */
  embedding?: Float32Array;
  /** Tokens the model saw, special tokens included, after truncation. */
  tokenCount: number;
  /** How many of tokenCount are special tokens ([CLS], [SEP], ...). */
  specialTokens: number;
  /** Tokens with the tokenizer's unknown-token id. */
  unknownTokens: number;
  /** Whether truncation cut some of the text off. */
  truncated: boolean;
}

export interface Classification {
  /** The most probable label (from config.json's id2label). */
  label: string;
  /** Its softmax probability. */
  score: number;
  /** Softmax probability of every label, in id order. */
  scores: Record<string, number>;
  /** Present only when the engine was loaded with captureFeatures. */
  features?: CapturedFeatures;
}

export interface OutputTensor {
  dims: number[];
  data: Float32Array;
}

export interface TensorInfo {
  name: string;
  /** ONNX element type, e.g. 'int64', 'float32'. */
  type: string;
  /** Symbolic dimensions are -1. */
  dims: number[];
}

export interface EngineInfo {
  /** Absolute path of the model directory. */
  modelPath: string;
  /** `_name_or_path` from config.json, else the directory's base name. */
  modelName: string;
  /** Labels in id order. Empty when the model has no id2label. */
  labels: string[];
  inputs: TensorInfo[];
  outputs: TensorInfo[];
  /** 'cpu' or 'cuda': the execution provider the session runs on. */
  executionProvider: string;
  /** Why device 'auto' runs on the CPU, when it does. */
  executionProviderFallback?: string;
  /** Maximum tokens per input, special tokens included. */
  maxLength: number;
  /** The batcher's settings in force. */
  batching: {
    maxBatchSize: number;
    maxBatchTokens: number;
    maxWaitMs: number;
    queueCapacity: number;
    runners: number;
    intraOpThreads: number;
    /** Whether the engine runs on the shared process-wide thread pools (EngineOptions.sharedThreads). */
    sharedThreads?: boolean;
    maxPaddingRatio: number;
    threadNiceness: number;
  };
  /** Drift capture: whether it is on, and where the embedding comes from or why there is none. */
  drift: {
    captureFeatures: boolean;
    embeddingOutput?: string;
    embeddingDim?: number;
    /** 'pooled': a [batch, dim] output; 'first_token': the first token of a [batch, tokens, dim] output. */
    embeddingSource?: 'pooled' | 'first_token';
    /** Why the model has no usable embedding output. */
    unavailable?: string;
  };
}

export declare class Engine {
  private constructor();
  /** [async] Loads a model directory as `optimum-cli export onnx --task text-classification` writes it. */
  static load(modelDir: string, options?: EngineOptions): Promise<Engine>;
  /**
   * [async] Classifies each text; results are in input order. Texts from concurrent calls are batched together
   * by the engine's dynamic batcher; each caller gets only its own results.
   */
  classify(texts: string[], options?: CallOptions): Promise<Classification[]>;
  /** [async] Every model output by name, for models whose output is not `logits`. Computed as its own batch. */
  run(texts: string[], options?: CallOptions): Promise<Record<string, OutputTensor>>;
  /** [sync] Static facts about the loaded model. */
  info(): EngineInfo;
  /** [sync] Counters and distributions of the batcher, the cache and the runners. */
  stats(): EngineStats;
  /** [async] Finishes in-flight work, then frees the session. Later calls reject with ENGINE_CLOSED. */
  close(): Promise<void>;
}

export interface TruncationOptions {
  /** Maximum tokens per encoding, special tokens included. */
  maxLength: number;
  /** Which text of a pair loses tokens. Default 'longest_first'. */
  strategy?: 'longest_first' | 'only_first' | 'only_second';
  /** Which end loses tokens. Default 'right'. */
  direction?: 'left' | 'right';
  /** Tokens each overflowing piece repeats from the previous one. Must be smaller than the room left for the text. Default 0. */
  stride?: number;
}

export interface PaddingOptions {
  /** Pad every encoding to this fixed length; without it, to the longest encoding of the call. */
  length?: number;
  /** Default 'right'. */
  direction?: 'left' | 'right';
  /** Round the padded length up to a multiple of this. Default 0 (off). */
  padToMultipleOf?: number;
  /** Default 0. */
  padId?: number;
  /** Default 0. */
  padTypeId?: number;
  /** The token string reported for padding. Default '[PAD]'. */
  padToken?: string;
}

export interface EncodeOptions {
  /** Add the model's special tokens ([CLS]/[SEP], <s>/</s>, ...). Default true. */
  addSpecialTokens?: boolean;
  /**
   * Overrides tokenizer.json's "truncation" for this call: false disables it. Default: the file's setting.
   * Throws (rejects with) INVALID_ARGUMENT when only_second is used without a pair, when the text to truncate is too
   * short for the strategy, or when stride is not smaller than the room left.
   */
  truncation?: false | TruncationOptions;
  /** Overrides tokenizer.json's "padding" for this call: false disables it. Default: the file's setting. */
  padding?: false | PaddingOptions;
}

export interface DecodeOptions {
  /** Leave out special added tokens ([CLS], <pad>, ...). Default false. */
  skipSpecialTokens?: boolean;
}

export interface Encoding {
  ids: Uint32Array;
  typeIds: Uint32Array;
  attentionMask: Uint32Array;
  specialTokensMask: Uint32Array;
  /** [start, end) of each token in the input, in Unicode code points (as Hugging Face tokenizers reports them). */
  offsets: Array<[number, number]>;
  tokens: string[];
  /**
   * The pieces truncation cut off, each a full encoding with special tokens (windows overlapping by `stride`), in
   * the order and nesting Hugging Face tokenizers' getOverflowing() gives. Empty without truncation.
   */
  overflowing: Encoding[];
}

export type EncodeInput = string | [string, string];

export declare class Tokenizer {
  private constructor();
  /** [async] Loads a Hugging Face `tokenizer.json`. */
  static fromFile(path: string): Promise<Tokenizer>;
  /** [async] Encodes one text, or a pair of texts. */
  encode(text: string, pair?: string | null, options?: EncodeOptions): Promise<Encoding>;
  /** [async] Encodes many texts (or pairs) in one native call. */
  encodeBatch(inputs: EncodeInput[], options?: EncodeOptions): Promise<Encoding[]>;
  /**
   * [async] The text of `ids`, through tokenizer.json's "decoder" (WordPiece, ByteLevel, Metaspace, BPEDecoder,
   * Replace, ByteFallback, Fuse, Strip, CTC, Sequence); without one, the tokens joined by spaces. Unknown ids are
   * skipped. Throws TypeError/RangeError (INVALID_ARGUMENT) for ids that are not integers in [0, 2^32).
   */
  decode(ids: number[] | Uint32Array, options?: DecodeOptions): Promise<string>;
  /** [async] decode for many id lists in one native call. */
  decodeBatch(idLists: Array<number[] | Uint32Array>, options?: DecodeOptions): Promise<string[]>;
}
