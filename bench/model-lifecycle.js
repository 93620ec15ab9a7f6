'use strict';
/**
 * Model lifecycle benchmark on the compiled server (`npm run build` first; it runs `node dist/main.js` as a child
 * process on 127.0.0.1). Prints medians over --repeats runs of each phase; nothing here is asserted in tests.
 *
 *   steady     p50/p99 latency and throughput of POST /sentiment under --concurrency clients, no swap;
 *   swapping   the same while production is swapped (activate / rollback) every --swap-every seconds;
 *   extra      the same with a canary (--canary %) and a shadow (--shadow sample rate) loaded, to see what
 *              they cost production (ENGINE_SHARED_THREADS=true: one thread pool for every engine);
 *   activation time of POST /models/{v}/activate for a version not loaded (cold: load + warm-up + validation)
 *              and of POST /models/canary/promote (warm: the canary's engine is already loaded);
 *   memory     resident memory after the first swap and after --swaps swaps between two versions.
 *
 * Usage: node bench/model-lifecycle.js [--seconds 10] [--concurrency 32] [--swap-every 2] [--repeats 3]
 *                                       [--canary 10] [--shadow 0.1] [--swaps 50] [--shared true|false]
 * Texts: SST-2 dev sentences from ../shared/realdata. The second version is a copy of the demo model with
 * another name in config.json (same weights, other content hash).
 */
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { performance } = require('node:perf_hooks');
const { benchOptions } = require('./options');

const ROOT = path.resolve(__dirname, '..');
const SST2 = path.resolve(ROOT, '..', 'shared', 'realdata', 'corpora', 'sst2-dev.tsv');
const TOKEN = 'bench-admin-token-0123456789abcdef';

function parseArgs() {
  return benchOptions({ seconds: 10, concurrency: 32, 'swap-every': 2, repeats: 3, canary: 10, shadow: 0.1, swaps: 50, shared: 'true' });
}

function texts() {
  if (!fs.existsSync(SST2)) throw new Error(`needs the SST-2 dev set at ${SST2} (shared real data)`);
  return fs.readFileSync(SST2, 'utf8').split('\n').slice(1).filter((l) => l.includes('\t')).map((l) => l.split('\t')[0].trim());
}

function makeVariant(dir, name) {
  fs.cpSync(path.join(ROOT, 'models', 'demo-sentiment'), dir, { recursive: true });
  const config = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8'));
  config._name_or_path = name;
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(config));
}

async function startServer(env) {
  const child = spawn(process.execPath, [path.join(ROOT, 'dist', 'main.js')], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const baseUrl = await new Promise((resolve, reject) => {
    const onData = (chunk) => {
      output += chunk;
      const match = /Listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match) resolve(match[1]);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', () => reject(new Error(`server exited:\n${output}`)));
  });
  return { child, baseUrl };
}

async function call(baseUrl, method, route, body, admin = false) {
  const headers = { 'content-type': 'application/json' };
  if (admin) headers.authorization = `Bearer ${TOKEN}`;
  const response = await fetch(baseUrl + route, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

/** Runs `concurrency` clients for `seconds`; `during` runs alongside (e.g. periodic swaps). */
async function load(baseUrl, corpus, seconds, concurrency, during) {
  const latencies = [];
  let failures = 0;
  let stop = false;
  const client = async (id) => {
    for (let i = id; !stop; i += concurrency) {
      const started = performance.now();
      const response = await call(baseUrl, 'POST', '/sentiment', { text: corpus[i % corpus.length] });
      latencies.push(performance.now() - started);
      if (response.status !== 200) failures++;
    }
  };
  const started = performance.now();
  const clients = Array.from({ length: concurrency }, (_, id) => client(id));
  const side = during ? during(() => stop) : Promise.resolve();
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  stop = true;
  await Promise.all([...clients, side]);
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
  return { p50: at(0.5), p99: at(0.99), throughput: latencies.length / elapsed, failures };
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function rss(baseUrl) {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  return Number(/^process_resident_memory_bytes (\d+)/m.exec(text)[1]);
}

async function main() {
  const args = parseArgs();
  const corpus = texts();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'classifier-bench-lifecycle-'));
  const importRoot = path.join(work, 'imports');
  makeVariant(path.join(importRoot, 'v2'), 'demo-sentiment-bench-v2');
  makeVariant(path.join(importRoot, 'v3'), 'demo-sentiment-bench-v3');
  makeVariant(path.join(importRoot, 'v4'), 'demo-sentiment-bench-v4');
  const { child, baseUrl } = await startServer({
    ADMIN_TOKEN: TOKEN,
    MODEL_IMPORT_ROOT: importRoot,
    DATA_DIR: path.join(work, 'data'),
    ENGINE_SHARED_THREADS: args.shared,
  });
  try {
    const register = async (dir) => (await call(baseUrl, 'POST', '/models', { model_path: path.join(importRoot, dir) }, true)).body.version;
    const v1 = (await call(baseUrl, 'GET', '/models', undefined, true)).body.models[0].version;
    const v2 = await register('v2');
    const v3 = await register('v3');
    const v4 = await register('v4');
    const phases = { steady: [], swapping: [], extra: [] };
    let swaps = 0;
    const swapper = (stopped) =>
      (async () => {
        let up = true;
        while (!stopped()) {
          await new Promise((resolve) => setTimeout(resolve, args['swap-every'] * 1000));
          if (stopped()) break;
          const r = up ? await call(baseUrl, 'POST', `/models/${encodeURIComponent(v2)}/activate`, {}, true) : await call(baseUrl, 'POST', '/models/rollback', {}, true);
          if (r.status !== 200) throw new Error(`swap failed: ${JSON.stringify(r.body)}`);
          swaps++;
          up = !up;
        }
        if (!up) await call(baseUrl, 'POST', '/models/rollback', {}, true);
      })();
    await load(baseUrl, corpus, 2, args.concurrency); // warm-up
    for (let r = 0; r < args.repeats; r++) {
      phases.steady.push(await load(baseUrl, corpus, args.seconds, args.concurrency));
      phases.swapping.push(await load(baseUrl, corpus, args.seconds, args.concurrency, swapper));
      await call(baseUrl, 'PUT', '/models/canary', { version: v3, percent: args.canary }, true);
      await call(baseUrl, 'PUT', '/models/shadow', { version: v4, sample_rate: args.shadow }, true);
      phases.extra.push(await load(baseUrl, corpus, args.seconds, args.concurrency));
      await call(baseUrl, 'DELETE', '/models/canary', undefined, true);
      await call(baseUrl, 'DELETE', '/models/shadow', undefined, true);
    }
    const cold = [];
    const warm = [];
    for (let r = 0; r < args.repeats; r++) {
      let started = performance.now();
      await call(baseUrl, 'POST', `/models/${encodeURIComponent(v2)}/activate`, {}, true);
      cold.push(performance.now() - started);
      await call(baseUrl, 'POST', '/models/rollback', {}, true);
      await call(baseUrl, 'PUT', '/models/canary', { version: v2, percent: 1 }, true);
      started = performance.now();
      await call(baseUrl, 'POST', '/models/canary/promote', {}, true);
      warm.push(performance.now() - started);
      await call(baseUrl, 'POST', '/models/rollback', {}, true);
    }
    // Memory: --swaps swaps between v1 and v2 with a few requests each, RSS after the first and after the last.
    await call(baseUrl, 'POST', `/models/${encodeURIComponent(v2)}/activate`, {}, true);
    await Promise.all(corpus.slice(0, 32).map((text) => call(baseUrl, 'POST', '/sentiment', { text })));
    const rssFirst = await rss(baseUrl);
    for (let i = 1; i < args.swaps; i++) {
      await call(baseUrl, 'POST', '/models/rollback', {}, true);
      await Promise.all(corpus.slice(0, 32).map((text) => call(baseUrl, 'POST', '/sentiment', { text })));
    }
    const rssLast = await rss(baseUrl);
    const row = (name, runs) =>
      `| ${name} | ${median(runs.map((x) => x.p50)).toFixed(1)} | ${median(runs.map((x) => x.p99)).toFixed(1)} | ${median(runs.map((x) => x.throughput)).toFixed(0)} | ${runs.reduce((s, x) => s + x.failures, 0)} |`;
    console.log(`cores ${os.cpus().length}, concurrency ${args.concurrency}, ${args.seconds} s per run, ${args.repeats} runs, ENGINE_SHARED_THREADS=${args.shared}, v1 ${v1}`);
    console.log('| phase | p50 ms | p99 ms | requests/s | failed |');
    console.log('|---|---|---|---|---|');
    console.log(row('steady, no swap', phases.steady));
    console.log(row(`swap every ${args['swap-every']} s (${swaps} swaps in all)`, phases.swapping));
    console.log(row(`canary ${args.canary} % + shadow ${args.shadow} loaded`, phases.extra));
    console.log(`activation: cold median ${median(cold).toFixed(0)} ms (${cold.map((x) => x.toFixed(0)).join(', ')}), warm median ${median(warm).toFixed(0)} ms (${warm.map((x) => x.toFixed(0)).join(', ')})`);
    console.log(`resident memory: ${(rssFirst / 2 ** 20).toFixed(1)} MiB after the first swap, ${(rssLast / 2 ** 20).toFixed(1)} MiB after ${args.swaps} swaps (${((rssLast - rssFirst) / 2 ** 20).toFixed(1)} MiB more)`);
  } finally {
    child.kill('SIGINT');
    await new Promise((resolve) => child.on('exit', resolve));
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
