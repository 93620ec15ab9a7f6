/**
 * tools/add-embedding-output on a real optimum export that outputs only logits (tiny-distilbert-sst2, copied to a
 * temp dir): before, the engine reports the embedding unavailable; after, it finds `sentence_embedding` (the first
 * token's hidden state, width config.json "dim") and captures it, while the logits stay exactly the same.
 * Needs /usr/bin/python3 with Debian's python3-onnx; fails with that reason when it is missing.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Engine } from '../../lib';
import { PROJECT_ROOT, realdata } from './realdata';

const TOOL = resolve(PROJECT_ROOT, 'tools', 'add-embedding-output', 'add_embedding_output.py');
const PYTHON = '/usr/bin/python3';

function runTool(args: string[]): string {
  try {
    execFileSync(PYTHON, ['-c', 'import onnx'], { stdio: 'pipe' });
  } catch (error) {
    throw new Error(`${PYTHON} cannot import onnx (apt-get install python3-onnx): ${(error as Error).message}`);
  }
  return execFileSync(PYTHON, [TOOL, ...args], { encoding: 'utf8', stdio: 'pipe' });
}

describe('tools/add-embedding-output', () => {
  let dir: string;
  const texts = ['a wonderful, moving film', 'dull and far too long', 'ok'];

  beforeAll(() => {
    const source = realdata('models', 'tiny-distilbert-sst2');
    dir = mkdtempSync(join(tmpdir(), 'add-embedding-'));
    for (const file of readdirSync(source)) copyFileSync(join(source, file), join(dir, file));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('adds the first-token hidden state as sentence_embedding; the engine finds it; logits unchanged', async () => {
    const before = await Engine.load(dir, { captureFeatures: true, cacheSize: 0 });
    expect(before.info().drift.unavailable).toMatch(/outputs only logits/);
    const logitsBefore = await before.classify(texts);
    await before.close();

    const output = runTool([join(dir, 'model.onnx'), join(dir, 'model.onnx')]);
    expect(output).toMatch(/added output 'sentence_embedding'/);

    const after = await Engine.load(dir, { captureFeatures: true, cacheSize: 0 });
    try {
      const hidden = (JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as { dim: number }).dim;
      expect(after.info().drift).toEqual({
        captureFeatures: true,
        embeddingOutput: 'sentence_embedding',
        embeddingDim: hidden,
        embeddingSource: 'pooled',
      });
      const results = await after.classify(texts);
      results.forEach((result, i) => {
        expect(result.scores).toEqual(logitsBefore[i].scores);
        expect(result.features!.embedding!.length).toBe(hidden);
      });
      // The captured vector is the tensor the tool exposed: run() reads the same output of the same pass.
      const outputs = await after.run([texts[0]]);
      expect(Array.from(outputs.sentence_embedding.data)).toEqual(Array.from(results[0].features!.embedding!));
    } finally {
      await after.close();
    }
  });

  test('refuses a model that already has the output, saying why', () => {
    expect(() => runTool([join(dir, 'model.onnx'), join(dir, 'again.onnx')])).toThrow(/already has an output 'sentence_embedding'/);
  });
});
