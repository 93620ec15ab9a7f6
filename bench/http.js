'use strict';
/**
 * HTTP benchmark: what the server itself costs per request, measured on a real server process (`node dist/main.js`,
 * compile first with `npm run build`) under autocannon, side by side with the engine alone on the same texts in the
 * same run. Prints figures; never asserted in tests (the machine is shared and timings are noisy).
 *
 * For each model, route (POST /sentiment: one text per request; POST /batch-sentiment: --batch texts per request)
 * and connection count, each repeat runs, in turn, every server given with --servers and then the engine alone:
 *   - server: a --warmup-second autocannon run (ignored), then a --seconds run: requests/s, texts/s, p50/p99
 *     latency (autocannon's, whole milliseconds), non-2xx responses, and CPU time per request of the server's JS
 *     main thread (utime+stime of /proc/<pid>/task/<pid>/stat before and after: the main thread's tid is the pid)
 *     and of the whole process (all threads: ONNX Runtime's, the batcher's, libuv's) per text.
 *   - engine alone: the native Engine loaded in this process with the same options, driven by as many concurrent
 *     callers as there are connections, each call the texts one request carries: texts/s, p50/p99 per call.
 * Then, at low load, one client sending one request at a time (this process, node:http, keep-alive, timed with
 * performance.now, so sub-millisecond) against the engine's own sequential single-text latency.
 * Each server first gets --server-warmup seconds of load once, right after it starts (64 connections, the first
 * route): on 2026-12-01 the first run after a start cost 40 to 60 % more JS CPU per request than the later runs of
 * the same server in 4 of 4 comparisons (JIT tiering, SQLite's cache and file growth), which a 2-second warm-up did
 * not absorb. Medians over --repeats are printed. The load generator runs in its own process (bench/http-load.js) on the same
 * cores as the server unless --pin-generator CORE pins it (taskset).
 *
 * Usage: node bench/http.js [--model demo|bert-base|both] [--routes sentiment,batch-sentiment] [--connections 1,64,256]
 *          [--seconds 5] [--warmup 2] [--server-warmup 10] [--repeats 3] [--batch 16] [--low-load 400]
 *          [--servers name=projectDir,...]   (default: this=. ; each project needs a compiled dist/ and its build/;
 *                                             a .js file is run as the server instead: floor=bench/http-floor.js)
 *          [--pin-generator CORE] [--cpu-prof DIR] (writes each server's V8 CPU profile into DIR at exit)
 *          [--env KEY=VALUE,...]             (extra server settings, e.g. PREDICTION_LOG_INPUT=none)
 *          [--server-env NAME:KEY=VALUE;...] (settings of one server only, e.g. postgres:DATABASE_URL=postgres://...;
 *                                             bench/http-databases.js uses it to compare SQLite and PostgreSQL)
 * Texts: TweetEval validation tweets and the UCI labelled review sentences from ../shared/realdata.
 */
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');
const { modelDir } = require('./models');
const { performance } = require('node:perf_hooks');
const { cpuSeconds } = require('./cpu-time');
const { benchOptions } = require('./options');

const ROOT = path.resolve(__dirname, '..');
const REALDATA = path.resolve(ROOT, '..', 'shared', 'realdata', 'train');
const TWEETS = path.join(REALDATA, 'tweeteval_sentiment', 'val_text.txt');
const REVIEWS = ['amazon_cells_labelled.txt', 'imdb_labelled.txt', 'yelp_labelled.txt'].map((f) =>
  path.join(REALDATA, 'uci_sentiment_labelled', f),
);
const LOAD_GENERATOR = path.join(__dirname, 'http-load.js');

function parseArgs() {
  const args = benchOptions({
    model: 'demo',
    routes: 'sentiment,batch-sentiment',
    connections: '1,64,256',
    seconds: 5,
    warmup: 2,
    'server-warmup': 10,
    repeats: 3,
    batch: 16,
    'low-load': 400,
    servers: `this=${ROOT}`,
    'pin-generator': '',
    'cpu-prof': '',
    env: '',
    'server-env': '',
  });
  return {
    models: args.model === 'both' ? ['demo', 'bert-base'] : [args.model],
    routes: args.routes.split(','),
    connections: args.connections.split(',').map(Number),
    seconds: args.seconds,
    warmup: args.warmup,
    serverWarmup: args['server-warmup'],
    repeats: args.repeats,
    batch: args.batch,
    lowLoad: args['low-load'],
    servers: args.servers.split(',').map((entry) => {
      const [name, dir] = entry.split('=');
      return { name, dir: path.resolve(dir), script: dir.endsWith('.js') };
    }),
    pinGenerator: args['pin-generator'],
    cpuProf: args['cpu-prof'] ? path.resolve(args['cpu-prof']) : '',
    env: Object.fromEntries(args.env ? args.env.split(',').map((kv) => kv.split('=')) : []),
    serverEnv: parseServerEnv(args['server-env']),
  };
}

/** "a:K=V;b:K2=V2" -> { a: { K: 'V' }, b: { K2: 'V2' } } (values may hold ':' and '=', as URLs do). */
function parseServerEnv(spec) {
  const out = {};
  for (const entry of spec ? spec.split(';') : []) {
    const colon = entry.indexOf(':');
    const equals = entry.indexOf('=', colon);
    if (colon < 1 || equals < 0) throw new Error(`--server-env: expected NAME:KEY=VALUE, got ${entry}`);
    const name = entry.slice(0, colon);
    (out[name] ??= {})[entry.slice(colon + 1, equals)] = entry.slice(equals + 1);
  }
  return out;
}

/** Real short texts: tweets and review sentences, interleaved so that every stretch mixes both. */
function corpus() {
  for (const file of [TWEETS, ...REVIEWS]) {
    if (!fs.existsSync(file)) throw new Error(`${file} not found: the benchmark needs ../shared/realdata beside the project`);
  }
  const tweets = fs.readFileSync(TWEETS, 'utf8').split('\n').map((s) => s.trim()).filter(Boolean);
  const reviews = REVIEWS.flatMap((file) =>
    fs.readFileSync(file, 'utf8').split('\n').map((line) => line.split('\t')[0].trim()).filter(Boolean),
  );
  const texts = [];
  for (let i = 0; i < Math.max(tweets.length, reviews.length); i++) {
    if (i < tweets.length) texts.push(tweets[i]);
    if (i < reviews.length) texts.push(reviews[i]);
  }
  return texts;
}

/** The texts each request carries, in the order the generator sends them. */
function requestTexts(texts, route, batch) {
  if (route === 'sentiment') return texts.map((t) => [t]);
  const groups = [];
  for (let i = 0; i + batch <= texts.length; i += batch) groups.push(texts.slice(i, i + batch));
  return groups;
}

function requestBody(route, group) {
  return JSON.stringify(route === 'sentiment' ? { text: group[0] } : { texts: group });
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

/** A project directory's compiled server, or a script given directly (bench/http-floor.js). */
function serverEntry(server) {
  return server.script ? server.dir : path.join(server.dir, 'dist', 'main.js');
}

/** Starts `node dist/main.js` of a project directory on a free loopback port; resolves once it listens. */
function startServer(server, model, dataDir, options) {
  const nodeArgs = options.cpuProf
    ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProf}`, `--cpu-prof-name=${server.name}-${model}.cpuprofile`]
    : [];
  const child = spawn(process.execPath, [...nodeArgs, serverEntry(server)], {
    cwd: server.script ? ROOT : server.dir,
    env: {
      PATH: process.env.PATH ?? '',
      HOST: '127.0.0.1',
      PORT: '0',
      MODEL_DIR: modelDir(model),
      DATA_DIR: dataDir,
      // Every text is classified, as in the engine-alone runs: a cache hit would measure the cache, not the path.
      ENGINE_CACHE_SIZE: '0',
      LOG_LEVEL: 'info',
      ...options.env,
      ...(options.serverEnv[server.name] ?? {}),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  return new Promise((resolve, reject) => {
    const onData = (chunk) => {
      log += chunk.toString();
      const match = /Listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(log);
      if (match && !child.url) {
        child.url = `http://127.0.0.1:${match[1]}`;
        resolve(child);
      }
      if (log.length > 100_000) log = log.slice(-20_000);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code, signal) => {
      if (!child.url) reject(new Error(`${server.name}'s server exited (${code ?? signal}) before listening:\n${log}`));
    });
  });
}

function stopServer(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.on('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** One autocannon run in the load generator's process. */
function generateLoad(url, connections, seconds, bodiesFile, pinCore) {
  const config = JSON.stringify({ url, connections, seconds, bodiesFile });
  const [command, args] = pinCore
    ? ['taskset', ['-c', pinCore, process.execPath, LOAD_GENERATOR, config]]
    : [process.execPath, [LOAD_GENERATOR, config]];
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`the load generator failed (exit ${code})`));
      resolve(JSON.parse(out));
    });
  });
}

async function measureServer(child, route, connections, groups, options) {
  const bodiesFile = path.join(options.scratch, `${route}.json`);
  const url = `${child.url}/${route}`;
  await generateLoad(url, connections, options.warmup, bodiesFile, options.pinGenerator);
  const jsBefore = cpuSeconds(child.pid, child.pid);
  const processBefore = cpuSeconds(child.pid);
  const load = await generateLoad(url, connections, options.seconds, bodiesFile, options.pinGenerator);
  const jsCpu = cpuSeconds(child.pid, child.pid) - jsBefore;
  const processCpu = cpuSeconds(child.pid) - processBefore;
  const textsPerRequest = groups[0].length;
  if (load.requests === 0) {
    throw new Error(`no request completed within ${options.seconds} s at ${connections} connections: raise --seconds`);
  }
  const ok = load.requests - load.non2xx;
  return {
    requestsPerSecond: load.requests / load.seconds,
    textsPerSecond: (ok * textsPerRequest) / load.seconds,
    p50Ms: load.latencyMs.p50,
    p99Ms: load.latencyMs.p99,
    non2xx: load.non2xx + load.errors + load.timeouts,
    // Which statuses the non-2xx answers had (429 is the engine's queue bound doing its job), e.g. "429".
    statuses: Object.keys(load.statusCodes ?? {}).filter((status) => !status.startsWith('2')).join('/'),
    jsCpuUsPerRequest: (jsCpu / load.requests) * 1e6,
    processCpuUsPerText: (processCpu / (load.requests * textsPerRequest)) * 1e6,
  };
}

/** The engine alone: `connections` concurrent callers, each call one request's texts, for `seconds`. */
async function measureEngine(engine, connections, groups, seconds) {
  const latencies = [];
  let next = 0;
  let texts = 0;
  const until = performance.now() + seconds * 1000;
  const started = performance.now();
  const caller = async () => {
    while (performance.now() < until) {
      const group = groups[next++ % groups.length];
      const t0 = performance.now();
      await engine.classify(group);
      latencies.push(performance.now() - t0);
      texts += group.length;
    }
  };
  await Promise.all(Array.from({ length: connections }, caller));
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    requestsPerSecond: latencies.length / elapsed,
    textsPerSecond: texts / elapsed,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
  };
}

/** One client, one request at a time, keep-alive: sub-millisecond latencies of POST /sentiment. */
async function lowLoadServer(url, texts, count) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const post = (body) =>
    new Promise((resolve, reject) => {
      const request = http.request(`${url}/sentiment`, { method: 'POST', agent, headers: { 'content-type': 'application/json' } }, (response) => {
        response.resume();
        response.on('end', () => (response.statusCode === 200 ? resolve() : reject(new Error(`status ${response.statusCode}`))));
      });
      request.on('error', reject);
      request.end(body);
    });
  const latencies = [];
  for (let i = 0; i < count + 50; i++) {
    const body = JSON.stringify({ text: texts[i % texts.length] });
    const t0 = performance.now();
    await post(body);
    if (i >= 50) latencies.push(performance.now() - t0);
  }
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return { p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99) };
}

async function lowLoadEngine(engine, texts, count) {
  const latencies = [];
  for (let i = 0; i < count + 50; i++) {
    const t0 = performance.now();
    await engine.classify([texts[i % texts.length]]);
    if (i >= 50) latencies.push(performance.now() - t0);
  }
  latencies.sort((a, b) => a - b);
  return { p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99) };
}

function medians(runs) {
  const keys = Object.keys(runs[0]);
  return Object.fromEntries(
    keys.map((key) =>
      typeof runs[0][key] === 'string'
        ? [key, [...new Set(runs.map((r) => r[key]).filter(Boolean))].join('/')]
        : [key, median(runs.map((r) => r[key]))],
    ),
  );
}

const fmt = (value, digits = 0) => (value >= 10_000 ? `${(value / 1000).toFixed(1)}k` : value.toFixed(digits));

async function benchModel(model, texts, options) {
  const dir = modelDir(model);
  const { Engine } = require(path.join(ROOT, 'lib'));
  const engine = await Engine.load(dir, { cacheSize: 0 });
  const { batching } = engine.info();
  console.log(
    `\nmodel ${model} (${dir}): engine ${batching.runners} runner(s) x ${batching.intraOpThreads} intra-op thread(s), ` +
      `maxBatchSize ${batching.maxBatchSize}, maxWaitMs ${batching.maxWaitMs}; servers: ${options.servers.map((s) => s.name).join(', ')}`,
  );
  const servers = [];
  try {
    for (const server of options.servers) {
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `bench-http-${server.name}-`));
      const child = await startServer(server, model, dataDir, options);
      started.add(child);
      servers.push({ ...server, dataDir, child });
    }
    console.log(
      'route            conn  system          req/s   texts/s  p50 ms  p99 ms  non-2xx  JS CPU us/req  process CPU us/text',
    );
    for (const [r, route] of options.routes.entries()) {
      const groups = requestTexts(texts, route, options.batch);
      const bodiesFile = path.join(options.scratch, `${route}.json`);
      fs.writeFileSync(bodiesFile, JSON.stringify(groups.map((g) => requestBody(route, g))));
      if (r === 0 && options.serverWarmup > 0) {
        for (const server of servers) {
          await generateLoad(`${server.child.url}/${route}`, 64, options.serverWarmup, bodiesFile, options.pinGenerator);
        }
      }
      for (const connections of options.connections) {
        const runs = new Map([...servers.map((s) => [s.name, []]), ['engine alone', []]]);
        for (let repeat = 0; repeat < options.repeats; repeat++) {
          for (const server of servers) runs.get(server.name).push(await measureServer(server.child, route, connections, groups, options));
          // Warm the engine's callers as the servers were warmed.
          await measureEngine(engine, connections, groups, options.warmup);
          runs.get('engine alone').push(await measureEngine(engine, connections, groups, options.seconds));
        }
        for (const [name, results] of runs) {
          const m = medians(results);
          const serverOnly = m.jsCpuUsPerRequest === undefined;
          console.log(
            `${`POST /${route}`.padEnd(17)}${String(connections).padStart(4)}  ${name.padEnd(13)}` +
              `${fmt(m.requestsPerSecond).padStart(8)}${fmt(m.textsPerSecond).padStart(10)}` +
              `${m.p50Ms.toFixed(serverOnly ? 2 : 0).padStart(8)}${m.p99Ms.toFixed(serverOnly ? 2 : 0).padStart(8)}` +
              `${serverOnly ? '       -' : `${m.non2xx}${m.statuses ? ` (${m.statuses})` : ''}`.padStart(9)}` +
              `${serverOnly ? '              -' : m.jsCpuUsPerRequest.toFixed(0).padStart(15)}` +
              `${serverOnly ? '                    -' : m.processCpuUsPerText.toFixed(0).padStart(21)}` +
              (serverOnly ? '' : `   (JS CPU/req runs: ${results.map((r) => r.jsCpuUsPerRequest.toFixed(0)).join(', ')})`),
          );
        }
      }
    }
    if (options.lowLoad > 0) {
      console.log(`low load: one client, one POST /sentiment at a time (${options.lowLoad} requests after 50 warm-up), p50 / p99 ms:`);
      const runs = new Map([...servers.map((s) => [s.name, []]), ['engine alone', []]]);
      for (let repeat = 0; repeat < options.repeats; repeat++) {
        for (const server of servers) runs.get(server.name).push(await lowLoadServer(server.child.url, texts, options.lowLoad));
        runs.get('engine alone').push(await lowLoadEngine(engine, texts, options.lowLoad));
      }
      const engineP50 = medians(runs.get('engine alone')).p50Ms;
      for (const [name, results] of runs) {
        const m = medians(results);
        const above = name === 'engine alone' ? '' : `   (${(m.p50Ms - engineP50).toFixed(3)} ms above the engine's p50)`;
        console.log(`  ${name.padEnd(13)} p50 ${m.p50Ms.toFixed(3)}  p99 ${m.p99Ms.toFixed(3)}${above}`);
      }
    }
  } finally {
    for (const server of servers) {
      await stopServer(server.child);
      started.delete(server.child);
      fs.rmSync(server.dataDir, { recursive: true, force: true });
    }
    await engine.close();
  }
}

/** Every server started, so that an interrupted run does not leave them behind. */
const started = new Set();

async function main() {
  const options = parseArgs();
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.on(signal, () => {
      for (const child of started) child.kill('SIGKILL');
      process.exit(130);
    });
  }
  for (const server of options.servers) {
    if (!fs.existsSync(serverEntry(server))) {
      throw new Error(`${serverEntry(server)} not found: compile the server first (npm run build in ${server.dir})`);
    }
  }
  if (options.cpuProf) fs.mkdirSync(options.cpuProf, { recursive: true });
  const texts = corpus();
  options.scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-http-bodies-'));
  console.log(
    `${texts.length} real texts (TweetEval tweets, UCI review sentences); ${options.seconds} s per run after ${options.warmup} s warm-up ` +
      `(and ${options.serverWarmup} s once per server after its start); ` +
      `${options.repeats} repeats, medians shown; /batch-sentiment carries ${options.batch} texts per request; ` +
      `load generator: autocannon in its own process${options.pinGenerator ? ` pinned to core ${options.pinGenerator}` : ''}, ` +
      `sharing the machine's ${os.cpus().length} cores with the server; ${os.cpus()[0].model}; Node ${process.version}`,
  );
  try {
    for (const model of options.models) await benchModel(model, texts, options);
  } finally {
    fs.rmSync(options.scratch, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
