'use strict';
/**
 * The JS thread's CPU time per engine call: what handing a text to the engine and settling its Promise costs the
 * event loop (argument conversion, submission, the completion callback, building the result objects), with the
 * inference itself on the engine's threads. 32 single-text calls at a time, as 32 concurrent HTTP requests would
 * make them, on real tweets, with drift capture on (as the server runs it) and no result cache. CPU time of the
 * main thread only (utime + stime of /proc/self/task/<pid>/stat), so the figure barely moves with the machine's
 * load, unlike wall time.
 *
 * Each project directory given (default: this one) is measured in its own process, in turn, --repeats times;
 * medians are printed, e.g. to compare two builds of the addon side by side:
 *   node bench/engine-js-cpu.js before=/tmp/main-checkout after=.   [--repeats 5] [--rounds 10]
 */
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { cpuSeconds } = require('./cpu-time');

const ROOT = path.resolve(__dirname, '..');
const TWEETS = path.resolve(ROOT, '..', 'shared', 'realdata', 'train', 'tweeteval_sentiment', 'val_text.txt');
const CONCURRENT = 32;

function option(name, fallback) {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? Number(process.argv[index + 1]) : fallback;
}

/** Runs in a child process: measures one project's addon and prints µs per call. */
async function measure(projectDir, rounds) {
  const { Engine } = require(path.join(projectDir, 'lib'));
  const threadCpu = () => cpuSeconds(process.pid, process.pid); // the JS thread's id is the process id
  const tweets = fs.readFileSync(TWEETS, 'utf8').split('\n').map((s) => s.trim()).filter(Boolean);
  const engine = await Engine.load(path.join(ROOT, 'models', 'demo-sentiment'), { captureFeatures: true, cacheSize: 0 });
  let calls = 0;
  const round = async () => {
    for (let start = 0; start + CONCURRENT <= tweets.length; start += CONCURRENT) {
      await Promise.all(tweets.slice(start, start + CONCURRENT).map((text) => engine.classify([text]).then(() => calls++)));
    }
  };
  await round(); // warm-up
  calls = 0;
  const before = threadCpu();
  for (let r = 0; r < rounds; r++) await round();
  process.stdout.write(`${(((threadCpu() - before) / calls) * 1e6).toFixed(2)}\n`);
  await engine.close();
}

function main() {
  if (process.argv[2] === '--child') return measure(process.argv[3], Number(process.argv[4]));
  if (!fs.existsSync(TWEETS)) throw new Error(`${TWEETS} not found: the benchmark needs ../shared/realdata beside the project`);
  const repeats = option('repeats', 5);
  const rounds = option('rounds', 10);
  const positional = process.argv.slice(2).filter((arg, i, all) => !arg.startsWith('--') && !(all[i - 1] ?? '').startsWith('--'));
  const builds = (positional.length ? positional : [`this=${ROOT}`]).map((entry) => {
    const [name, dir] = entry.includes('=') ? entry.split('=') : [entry, entry];
    return { name, dir: path.resolve(dir), runs: [] };
  });
  for (let r = 0; r < repeats; r++) {
    for (const build of builds) {
      const out = execFileSync(process.execPath, [__filename, '--child', build.dir, String(rounds)]).toString();
      build.runs.push(Number(out.trim()));
    }
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  console.log(`JS-thread CPU per single-text engine call (${CONCURRENT} concurrent, demo model, capture on), median of ${repeats}:`);
  for (const build of builds) {
    console.log(`  ${build.name.padEnd(10)} ${median(build.runs).toFixed(1)} us   (runs ${build.runs.map((x) => x.toFixed(1)).join(', ')})`);
  }
}

Promise.resolve(main()).catch((error) => {
  console.error(error);
  process.exit(1);
});
