'use strict';
/**
 * Offline batch command throughput against the engine benchmark, side by side on the same model and texts
 * (printed, never asserted in tests):
 *   engine  bench/engine.js's (a) measurement: the engine under 64 concurrent single-text callers, in process;
 *   command bin/classify-batch.js on a text file of the same texts (a child process), its own rows/s figure
 *           (rows written / time from the model loaded to the last row: reading, classifying and writing; the
 *           engine's figure also leaves its model load out). Its end-to-end rate (process start to exit, model
 *           load included) is printed too.
 * Both with the result cache off (the texts repeat). The two alternate; each repeat's command / engine ratio is
 * taken from that back-to-back pair, so both saw about the same machine load. Reported: the medians of each rate,
 * the median of the paired ratios, and the CPU time each spends per text (the whole process, every thread: a
 * figure the load on a shared machine moves much less than throughput; the command's is net of its start-up and
 * model load, measured on a one-text input). The load average is printed before and after: on a shared machine throughput is only meaningful
 * with it. Target: command / engine >= 0.9.
 *
 * Usage: npm run build && node bench/batch.js [--texts N] [--repeats R]
 */
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { performance } = require('node:perf_hooks');
const { benchOptions } = require('./options');
const { Engine } = require('..');
const { childrenCpuSeconds } = require('./cpu-time');

const ROOT = path.resolve(__dirname, '..');
const SST2 = path.resolve(ROOT, '..', 'shared', 'realdata', 'corpora', 'sst2-dev.tsv');
const MODEL = path.join(ROOT, 'models', 'demo-sentiment');

function parseArgs() {
  return benchOptions({ texts: 8720, repeats: 9 });
}

function corpus(count) {
  if (!fs.existsSync(SST2)) throw new Error(`${SST2} not found: the benchmark needs ../shared/realdata beside the project`);
  const sentences = fs.readFileSync(SST2, 'utf8').split('\n').slice(1).map((l) => l.split('\t')[0].trim()).filter(Boolean);
  const texts = [];
  while (texts.length < count) texts.push(...sentences);
  return texts.slice(0, count);
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const loadAverage = () => os.loadavg().map((value) => value.toFixed(2)).join(', ');


/** The engine benchmark's pattern; its rate, and the CPU time of the whole process (every thread) per text. */
async function engineRun(engine, texts, concurrency = 64) {
  const cpu = process.cpuUsage();
  const started = performance.now();
  let next = 0;
  const worker = async () => {
    while (next < texts.length) await engine.classify([texts[next++]]);
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const rate = texts.length / ((performance.now() - started) / 1000);
  const used = process.cpuUsage(cpu);
  return { rate, cpuMsPerText: (used.user + used.system) / 1000 / texts.length };
}

/**
 * Runs the command once: its own rows/s figure from the summary line ("done: N rows written; R rows/s"), and its
 * CPU time per text once `fixedCpuSeconds` (start-up and model load, measured on a one-text input) is taken off.
 */
function commandRun(input, output, count, fixedCpuSeconds = 0) {
  const cpuBefore = childrenCpuSeconds();
  const started = performance.now();
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
  const wallRate = count / ((performance.now() - started) / 1000);
  const cpuSeconds = childrenCpuSeconds() - cpuBefore;
  return { rate: Number(rate[1]), wallRate, cpuSeconds, cpuMsPerText: ((cpuSeconds - fixedCpuSeconds) * 1000) / count };
}

async function main() {
  const args = parseArgs();
  if (!fs.existsSync(path.join(ROOT, 'dist', 'batch', 'cli.js'))) throw new Error('dist/batch/cli.js missing: run `npm run build` first');
  const texts = corpus(args.texts);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-batch-'));
  const input = path.join(dir, 'texts.txt');
  const output = path.join(dir, 'out.jsonl');
  fs.writeFileSync(input, texts.join('\n') + '\n');
  // The command's fixed CPU cost (process start-up, model load, one text), taken off its per-text CPU figure.
  const single = path.join(dir, 'one.txt');
  fs.writeFileSync(single, `${texts[0]}\n`);
  const fixedCpuSeconds = median([1, 2, 3].map(() => commandRun(single, output, 1).cpuSeconds));
  const engine = await Engine.load(MODEL, { cacheSize: 0 });
  await engineRun(engine, texts.slice(0, 256));
  console.log(`demo model; ${texts.length} SST-2 texts; ${args.repeats} repeats, alternating; ${os.cpus().length} cores (${os.cpus()[0].model}); machine shared`);
  console.log(`load average (1, 5, 15 min) before: ${loadAverage()}`);
  const engineRuns = [];
  const commandRuns = [];
  const ratios = [];
  for (let r = 0; r < args.repeats; r++) {
    engineRuns.push(await engineRun(engine, texts));
    commandRuns.push(commandRun(input, output, texts.length, fixedCpuSeconds));
    ratios.push(commandRuns[r].rate / engineRuns[r].rate);
    console.log(
      `  repeat ${r + 1}: engine ${engineRuns[r].rate.toFixed(1)} texts/s (${engineRuns[r].cpuMsPerText.toFixed(3)} CPU ms/text), ` +
        `command ${commandRuns[r].rate.toFixed(1)} texts/s (${commandRuns[r].cpuMsPerText.toFixed(3)} CPU ms/text; ` +
        `${commandRuns[r].wallRate.toFixed(1)} texts/s end to end), ratio ${ratios[r].toFixed(2)}`,
    );
  }
  console.log(`load average (1, 5, 15 min) after: ${loadAverage()}`);
  await engine.close();
  fs.rmSync(dir, { recursive: true, force: true });
  const e = median(engineRuns.map((run) => run.rate));
  const c = median(commandRuns.map((run) => run.rate));
  const eCpu = median(engineRuns.map((run) => run.cpuMsPerText));
  const cCpu = median(commandRuns.map((run) => run.cpuMsPerText));
  console.log(`\nmedians: engine ${e.toFixed(1)} texts/s, command ${c.toFixed(1)} texts/s; command / engine = ${(c / e).toFixed(2)} (target >= 0.9)`);
  const wall = median(commandRuns.map((run) => run.wallRate));
  console.log(`command end to end (process start, model load, all rows, exit): ${wall.toFixed(1)} texts/s = ${(wall / e).toFixed(2)} of the engine`);
  console.log(`median of the ${ratios.length} paired ratios: ${median(ratios).toFixed(2)} (range ${Math.min(...ratios).toFixed(2)}-${Math.max(...ratios).toFixed(2)})`);
  console.log(
    `CPU per text (medians): engine ${eCpu.toFixed(3)} ms, command ${cCpu.toFixed(3)} ms ` +
      `(its start-up and model load, ${fixedCpuSeconds.toFixed(2)} CPU s on a one-text input, taken off); ` +
      `engine / command = ${(eCpu / cCpu).toFixed(2)}`,
  );
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
