/** The model could not be loaded at startup; carries the engine's code (MODEL_NOT_FOUND, FILE_MISSING, ...). */
export class ModelLoadError extends Error {
  readonly code: string;

  constructor(
    readonly modelDir: string,
    readonly cause: unknown,
  ) {
    const code = codeOf(cause) ?? 'INTERNAL';
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(`Could not load the model at ${modelDir}: [${code}] ${reason}`);
    this.name = 'ModelLoadError';
    this.code = code;
  }
}

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}
