/**
 * Access to the demo model (models/demo-sentiment) and its PyTorch fixture
 * (test/fixtures/demo-sentiment-pytorch.json: held-out sentences with the logits PyTorch computed for them).
 * Both are produced inside the project; when absent, the resolvers throw an error naming the missing path.
 */
import * as fs from 'fs';
import * as path from 'path';
import { projectFile } from './realdata';

export const DEMO_MODEL_REL = 'models/demo-sentiment';
export const DEMO_FIXTURE_REL = 'test/fixtures/demo-sentiment-pytorch.json';

/** Absolute path of the demo model directory, after checking the three files it must hold. */
export function demoModelDir(): string {
  const dir = projectFile(DEMO_MODEL_REL, 'the demo model directory');
  for (const f of ['model.onnx', 'tokenizer.json', 'config.json']) {
    projectFile(path.join(DEMO_MODEL_REL, f), `the demo model's ${f}`);
  }
  return dir;
}

/**
 * The width of the demo model's `sentence_embedding` as its config.json declares it (`dim`, DistilBERT's name), so
 * tests follow the shipped model's size instead of repeating it.
 */
export function demoEmbeddingDim(): number {
  const p = projectFile(path.join(DEMO_MODEL_REL, 'config.json'), "the demo model's config.json");
  const dim = (JSON.parse(fs.readFileSync(p, 'utf8')) as { dim?: unknown }).dim;
  if (typeof dim !== 'number' || !Number.isInteger(dim) || dim <= 0) {
    throw new Error(`${p} declares no positive integer "dim" (got ${JSON.stringify(dim)})`);
  }
  return dim;
}

export interface DemoExample {
  text: string;
  logits: number[];
  /** PyTorch's predicted label (argmax of logits), when the fixture records it. */
  predicted?: string;
  /** The token ids PyTorch was fed, when the fixture records them. */
  inputIds?: number[];
  /** The [CLS] final hidden state (the model's `sentence_embedding` output), for some examples. */
  sentenceEmbedding?: number[];
}

export interface DemoFixture {
  sentences: DemoExample[];
  /** Hand-written probe sentences with their PyTorch outputs (may be empty). */
  probes: DemoExample[];
}

function toExample(e: Record<string, unknown>, i: number, p: string, list: string): DemoExample {
  const text = (e.text ?? e.sentence) as unknown;
  const logits = e.logits as unknown;
  const isNumbers = (x: unknown): x is number[] => Array.isArray(x) && x.every((v) => typeof v === 'number');
  if (typeof text !== 'string' || !isNumbers(logits)) {
    throw new Error(`fixture ${p} ${list} #${i} has no string text and numeric logits: ${JSON.stringify(e).slice(0, 200)}`);
  }
  return {
    text,
    logits,
    predicted: typeof e.predicted === 'string' ? e.predicted : undefined,
    inputIds: isNumbers(e.input_ids) ? e.input_ids : undefined,
    sentenceEmbedding: isNumbers(e.sentence_embedding) ? e.sentence_embedding : undefined,
  };
}

/**
 * The fixture written by tools/demo-model/train.py: `sentences` (held-out sentences with text, gold label,
 * input_ids, PyTorch logits, predicted label and, for some, sentence_embedding) and `probes`.
 */
export function demoFixtureFull(): DemoFixture {
  const p = projectFile(DEMO_FIXTURE_REL, 'the PyTorch fixture of the demo model');
  const raw = JSON.parse(fs.readFileSync(p, 'utf8')) as Record<string, unknown>;
  if (!raw || typeof raw !== 'object' || !Array.isArray(raw.sentences)) {
    throw new Error(`unrecognised fixture layout in ${p}: expected an object with a "sentences" list`);
  }
  const probes = Array.isArray(raw.probes) ? raw.probes : [];
  return {
    sentences: (raw.sentences as Record<string, unknown>[]).map((e, i) => toExample(e, i, p, 'sentences')),
    probes: (probes as Record<string, unknown>[]).map((e, i) => toExample(e, i, p, 'probes')),
  };
}

/** The fixture's held-out sentences. */
export function demoFixture(): DemoExample[] {
  return demoFixtureFull().sentences;
}

export function softmax(xs: ArrayLike<number>): number[] {
  const a = Array.from(xs);
  const m = Math.max(...a);
  const ex = a.map((x) => Math.exp(x - m));
  const s = ex.reduce((p, q) => p + q, 0);
  return ex.map((x) => x / s);
}

export function argmax(xs: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < xs.length; i++) if (xs[i] > xs[best]) best = i;
  return best;
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}
