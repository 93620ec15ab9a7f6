/** Features of n predictions, columnar in typed arrays so a window can be transferred to a worker thread. */
export interface FeatureSet {
  size: number;
  /** Projected sentence embeddings, row-major size x embeddingDim; embeddingDim 0 when the model has none. */
  embedding: Float64Array;
  embeddingDim: number;
  confidence: Float64Array; // top softmax probability
  entropy: Float64Array; // of the softmax distribution, natural log
  tokenCount: Float64Array; // tokens including special tokens, after truncation
  unknownShare: Float64Array; // unknown tokens / non-special tokens (0 when none)
  nonLetterShare: Float64Array; // characters (code points) that are not Unicode letters / all code points (0 for "")
  truncated: Uint8Array; // 1 when the input was truncated
  label: Uint16Array; // predicted label index into `labels`
  labels: string[];
}

export interface DriftTestResult {
  feature: string; // 'embedding_0'..'embedding_31', 'confidence', 'entropy', 'token_count', 'unknown_share',
  // 'non_letter_share', 'label', 'truncated', 'embedding' (the multivariate test)
  test: 'ks' | 'chi2' | 'fisher' | 'mmd';
  statistic: number;
  p_value: number;
  adjusted_p_value: number; // Holm over every test of the window
  drifted: boolean; // adjusted_p_value < alpha
}

export interface DriftEvaluation {
  status: 'ok' | 'drift';
  alpha: number;
  correction: 'holm';
  tests: DriftTestResult[];
}
