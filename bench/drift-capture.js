'use strict';
/**
 * Cost of drift capture: engine throughput with captureFeatures on vs off, side by side in one run.
 * Both engines load the same model with the same settings (result cache off, so every text is computed); the
 * same texts (SST-2 dev sentences from ../shared/realdata) go through many concurrent single-text callers, the two
 * engines alternate, each measurement is repeated and medians are reported. Target: capture costs <= 5 %.
 * Besides wall-clock throughput it reports this process's CPU time per text (user + system over every thread,
 * engine threads included): on a shared machine other processes inflate wall time, much less the CPU time spent.
 *
 * Usage: node bench/drift-capture.js [--model DIR] [--repeats R] [--concurrency C] [--texts N]
 */
const fs = require('node:fs');
const path = require('node:path');
const { performance } = require('node:perf_hooks');
const { benchOptions } = require('./options');
const { Engine } = require('..');

const ROOT = path.resolve(__dirname, '..');
const SST2 = path.resolve(ROOT, '..', 'shared', 'realdata', 'corpora', 'sst2-dev.tsv');

function parseArgs() {
  return benchOptions({ model: path.join(ROOT, 'models', 'demo-sentiment'), repeats: 7, concurrency: 64, texts: 872 });
}

function corpus(count) {
  if (!fs.existsSync(SST2)) throw new Error(`${SST2} not found: the benchmark needs ../shared/realdata beside the project`);
  const lines = fs.readFileSync(SST2, 'utf8').split('\n').slice(1).filter(Boolean);
  const texts = lines.map((line) => line.split('\t')[0]).filter((t) => t.length > 0);
  return texts.slice(0, count);
}

async function throughput(engine, texts, concurrency) {
  let next = 0;
  const cpu = process.cpuUsage();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < texts.length) {
        const text = texts[next++];
        await engine.classify([text]);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  return { rate: texts.length / seconds, cpuMsPerText: (used.user + used.system) / 1000 / texts.length };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main() {
  const args = parseArgs();
  const texts = corpus(args.texts);
  const off = await Engine.load(args.model, { cacheSize: 0, captureFeatures: false });
  const on = await Engine.load(args.model, { cacheSize: 0, captureFeatures: true });
  const drift = on.info().drift;
  console.log(`model ${args.model}: embedding ${drift.embeddingOutput ?? `unavailable (${drift.unavailable})`}`);
  await throughput(off, texts.slice(0, 128), args.concurrency); // warm both
  await throughput(on, texts.slice(0, 128), args.concurrency);
  const results = { off: [], on: [] };
  for (let r = 0; r < args.repeats; r++) {
    // Alternate the order so drifting machine load does not favour one side.
    const order = r % 2 === 0 ? ['off', 'on'] : ['on', 'off'];
    for (const side of order) results[side].push(await throughput(side === 'on' ? on : off, texts, args.concurrency));
  }
  const offMedian = median(results.off.map((x) => x.rate));
  const onMedian = median(results.on.map((x) => x.rate));
  const offCpu = median(results.off.map((x) => x.cpuMsPerText));
  const onCpu = median(results.on.map((x) => x.cpuMsPerText));
  console.log(`texts ${texts.length}, concurrency ${args.concurrency}, repeats ${args.repeats}`);
  for (const side of ['off', 'on']) {
    const runs = results[side];
    console.log(
      `capture ${side.padEnd(3)}: median ${median(runs.map((x) => x.rate)).toFixed(1)} texts/s (runs ${runs.map((x) => x.rate.toFixed(0)).join(' ')}), ` +
        `CPU ${median(runs.map((x) => x.cpuMsPerText)).toFixed(3)} ms/text (runs ${runs.map((x) => x.cpuMsPerText.toFixed(3)).join(' ')})`,
    );
  }
  console.log(`cost of capture: ${((1 - onMedian / offMedian) * 100).toFixed(1)} % of throughput, ${((onCpu / offCpu - 1) * 100).toFixed(1)} % more CPU per text (target <= 5 %)`);
  await Promise.all([off.close(), on.close()]);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
