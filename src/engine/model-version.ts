import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { join } from 'node:path';

/** The files whose bytes define what a model answers. */
const MODEL_FILES = ['model.onnx', 'tokenizer.json', 'config.json'] as const;

/**
 * A version that changes whenever the served model's behaviour can: `<name>@<first 12 hex digits of the
 * SHA-256 over model.onnx, tokenizer.json and config.json>`. Two replicas serving the same files report the same
 * version; retraining or re-exporting changes it. Files are streamed, so a large model.onnx neither blocks the
 * event loop nor lands in memory at once.
 */
export function modelVersion(modelName: string, filesDigest: string): string {
  const name = modelName.replace(/[^A-Za-z0-9._/-]+/g, '-');
  return `${name}@${filesDigest.slice(0, 12)}`;
}

/** SHA-256 (hex) over the model's files, streamed. */
export async function digestModelFiles(modelDir: string): Promise<string> {
  const hash = createHash('sha256');
  for (const file of MODEL_FILES) {
    const path = join(modelDir, file);
    // config.json is optional (the engine reads it when present); its absence is part of the identity.
    hash.update(`${file}\0${existsSync(path) ? 'present' : 'absent'}\0`);
    if (!existsSync(path)) continue;
    for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  }
  return hash.digest('hex');
}
