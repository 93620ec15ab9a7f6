import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync, cpSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..', '..', '..');
export const DEMO_MODEL_DIR = join(ROOT, 'models', 'demo-sentiment');
const SST2_DEV = join(ROOT, '..', 'shared', 'realdata', 'corpora', 'sst2-dev.tsv');

export interface VariantOptions {
  /** config.json `_name_or_path`: a different name gives different content, hence another version. */
  name?: string;
  /** Renames the labels in id2label/label2id (a "label change" version). */
  labels?: [string, string];
  /** Writes validation.jsonl with this many SST-2 dev sentences; `flipLabels` makes every label wrong. */
  validation?: { samples: number; flipLabels?: boolean };
  /** Overwrites model.onnx with bytes that are not an ONNX model. */
  corruptOnnx?: boolean;
  /** Leaves tokenizer.json out. */
  withoutTokenizer?: boolean;
}

/**
 * A copy of the demo model under `dir` with the changes asked for: cheap second versions for lifecycle tests
 * (the weights are the demo's; only config.json and extra files differ, which changes the content hash).
 */
export function makeModelVariant(dir: string, options: VariantOptions = {}): string {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  cpSync(DEMO_MODEL_DIR, dir, { recursive: true });
  const configPath = join(dir, 'config.json');
  const config = JSON.parse(readFileSync(configPath, 'utf8')) as Record<string, unknown>;
  if (options.name) config._name_or_path = options.name;
  if (options.labels) {
    config.id2label = { 0: options.labels[0], 1: options.labels[1] };
    config.label2id = { [options.labels[0]]: 0, [options.labels[1]]: 1 };
  }
  writeFileSync(configPath, JSON.stringify(config, null, 2));
  if (options.validation) writeFileSync(join(dir, 'validation.jsonl'), validationLines(options.validation.samples, options.validation.flipLabels ?? false));
  if (options.corruptOnnx) writeFileSync(join(dir, 'model.onnx'), 'this is not an ONNX protobuf');
  if (options.withoutTokenizer) rmSync(join(dir, 'tokenizer.json'));
  return dir;
}

/** SST-2 dev sentences as {"text","label"} lines (real labelled data from /work/shared/realdata). */
export function validationLines(samples: number, flipLabels: boolean): string {
  return sst2Dev()
    .slice(0, samples)
    .map(({ text, positive }) => JSON.stringify({ text, label: positive !== flipLabels ? 'POSITIVE' : 'NEGATIVE' }))
    .join('\n');
}

/** The SST-2 dev set; fails loudly (never skips) when the shared real data is not there. */
export function sst2Dev(): Array<{ text: string; positive: boolean }> {
  if (!existsSync(SST2_DEV)) throw new Error(`This test needs the SST-2 dev set at ${SST2_DEV} (shared real data; see its README)`);
  return readFileSync(SST2_DEV, 'utf8')
    .split('\n')
    .slice(1)
    .filter((line) => line.includes('\t'))
    .map((line) => {
      const [text, label] = line.split('\t');
      return { text: text.trim(), positive: label.trim() === '1' };
    });
}
