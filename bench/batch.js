'use strict';
/**
 * Offline batch command throughput against the engine benchmark, side by side on the same model and texts
 * (printed, never asserted in tests):
 *   engine  bench/engine.js's (a) measurement: the engine under 64 concurrent single-text callers, in process;
 *   command bin/classify-batch.js on a text file of the same texts (a child process), its own rows/s figure
 *           (rows written / time from the model loaded to the last row: reading, classifying and writing).
 * Both with the result cache off (the texts repeat). The two alternate, and medians are reported.
 * Target: command / engine >= 0.9.
 *
 * Usage: npm run build && node bench/batch.js [--texts N] [--repeats R]
 */
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { performance } = require('node:perf_hooks');
const { Engine } = require('..');

const ROOT = path.resolve(__dirname, '..');
const SST2 = path.resolve(ROOT, '..', 'shared', 'realdata', 'corpora', 'sst2-dev.tsv');
const MODEL = path.join(ROOT, 'models', 'demo-sentiment');

function parseArgs() {
  const args = { texts: 8720, repeats: 5 };
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i += 2) {
    const key = argv[i].replace(/^--/, '');
    if (!(key in args)) throw new Error(`unknown option ${argv[i]}`);
    args[key] = Number(argv[i + 1]);
  }
  return args;
}

function corpus(count) {
  if (!fs.existsSync(SST2)) throw new Error(`${SST2} not found: the benchmark needs ../shared/realdata beside the project`);
  const sentences = fs.readFileSync(SST2, 'utf8').split('\n').slice(1).map((l) => l.split('\t')[0].trim()).filter(Boolean);
  const texts = [];
  while (texts.length < count) texts.push(...sentences);
  return texts.slice(0, count);
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function engineRun(engine, texts, concurrency = 64) {
  const started = performance.now();
  let next = 0;
  const worker = async () => {
    while (next < texts.length) await engine.classify([texts[next++]]);
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return texts.length / ((performance.now() - started) / 1000);
}

/** Runs the command once; its own rows/s figure from the summary line ("done: N rows written; R rows/s"). */
function commandRun(input, output, count) {
  const run = spawnSync(
    process.execPath,
    [path.join(ROOT, 'bin', 'classify-batch.js'), input, '--output', output, '--overwrite', '--cache-size', '0', '--progress', 'none'],
    { encoding: 'utf8' },
  );
  if (run.status !== 0) throw new Error(`classify-batch exited ${run.status}: ${run.stderr}`);
  const rows = fs.readFileSync(output, 'utf8').split('\n').length - 1;
  if (rows !== count) throw new Error(`classify-batch wrote ${rows} rows, expected ${count}`);
  const rate = /(\d+) rows\/s/.exec(run.stderr);
  if (!rate) throw new Error(`no rows/s in classify-batch's summary: ${run.stderr}`);
  return Number(rate[1]);
}

async function main() {
  const args = parseArgs();
  if (!fs.existsSync(path.join(ROOT, 'dist', 'batch', 'cli.js'))) throw new Error('dist/batch/cli.js missing: run `npm run build` first');
  const texts = corpus(args.texts);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-batch-'));
  const input = path.join(dir, 'texts.txt');
  const output = path.join(dir, 'out.jsonl');
  fs.writeFileSync(input, texts.join('\n') + '\n');
  const engine = await Engine.load(MODEL, { cacheSize: 0 });
  await engineRun(engine, texts.slice(0, 256));
  console.log(`demo model; ${texts.length} SST-2 texts; ${args.repeats} repeats, alternating; ${os.cpus().length} cores (${os.cpus()[0].model}); machine shared`);
  const engineRates = [];
  const commandRates = [];
  for (let r = 0; r < args.repeats; r++) {
    engineRates.push(await engineRun(engine, texts));
    commandRates.push(commandRun(input, output, texts.length));
    console.log(`  repeat ${r + 1}: engine ${engineRates[r].toFixed(1)} texts/s, command ${commandRates[r].toFixed(1)} texts/s`);
  }
  await engine.close();
  fs.rmSync(dir, { recursive: true, force: true });
  const e = median(engineRates);
  const c = median(commandRates);
  console.log(`\nmedians: engine ${e.toFixed(1)} texts/s, command ${c.toFixed(1)} texts/s; command / engine = ${(c / e).toFixed(2)} (target >= 0.9)`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
