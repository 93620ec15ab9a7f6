/**
 * The addon's life cycle beyond one happy process: an engine left open must not keep the process alive nor crash
 * it on exit, and worker threads that load engines, including one terminated mid-inference, must tear down
 * cleanly. Each scenario runs in a child process so that a crash fails the test instead of the test runner.
 */
import { spawnSync } from 'child_process';
import * as path from 'path';
import { PROJECT_ROOT, projectFile } from './realdata';

const LIB = path.join(PROJECT_ROOT, 'lib');

function runScript(source: string): { status: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, ['-e', source], { encoding: 'utf8', timeout: 60_000 });
  return { status: result.status, signal: result.signal, stdout: result.stdout, stderr: result.stderr };
}

describe('engine life cycle across process and worker-thread exits', () => {
  let modelDir: string;
  beforeAll(() => {
    modelDir = path.dirname(projectFile('models/demo-sentiment/model.onnx', 'the demo model'));
  });

  test('an idle engine that was never closed does not keep the process alive', () => {
    const result = runScript(`
      const { Engine } = require(${JSON.stringify(LIB)});
      Engine.load(${JSON.stringify(modelDir)}).then(async (engine) => {
        const [r] = await engine.classify(['I loved it']);
        console.log('classified', r.label);
      });`);
    expect(result.signal).toBeNull();
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('classified');
  });

  test('process.exit() while a batch is running exits cleanly', () => {
    const result = runScript(`
      const { Engine } = require(${JSON.stringify(LIB)});
      Engine.load(${JSON.stringify(modelDir)}).then((engine) => {
        engine.classify(Array(300).fill('a review that keeps the engine busy for a while'));
        setTimeout(() => process.exit(0), 5);
      });`);
    expect(result.signal).toBeNull();
    expect(result.status).toBe(0);
    expect(result.stderr).not.toMatch(/onnxruntime|Segmentation|Aborted/);
  });

  test('worker threads load engines; one terminated mid-inference tears down without errors', () => {
    const result = runScript(`
      const { Worker } = require('node:worker_threads');
      const body = \`
        const { parentPort } = require('node:worker_threads');
        const { Engine } = require(${JSON.stringify(LIB)});
        Engine.load(${JSON.stringify(modelDir)}).then(async (engine) => {
          const [r] = await engine.classify(['I loved it']);
          parentPort.postMessage(r.label);
          engine.classify(Array(200).fill('pending work while the worker may be terminated'));
        });\`;
      const runs = [0, 1, 2].map((i) => new Promise((resolve, reject) => {
        const worker = new Worker(body, { eval: true });
        worker.on('message', (label) => { console.log('worker', i, label); if (i === 0) worker.terminate(); });
        worker.on('error', reject);
        worker.on('exit', resolve);
      }));
      Promise.all(runs).then(() => console.log('all workers exited'), (e) => { console.error(e); process.exit(1); });`);
    expect(result.signal).toBeNull();
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('all workers exited');
    expect(result.stdout.match(/worker \d POSITIVE/g)).toHaveLength(3);
    // ONNX Runtime logs an error when a session runs after its environment was freed: there must be none.
    expect(result.stderr).not.toMatch(/onnxruntime|Segmentation|Aborted/);
  });
});
