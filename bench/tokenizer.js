'use strict';
/**
 * Tokenizer throughput: this project's native tokenizer against Hugging Face `tokenizers` (the Rust library's
 * npm binding), side by side in the same run, on the same texts, after checking that both produce the same ids.
 *
 *   node bench/tokenizer.js [--tokenizers bert-base-uncased,roberta-base,t5-small] [--rounds 5] [--repeat 20]
 *                           [--batch 256] [--long-batch 8] [--threads N] [--corpus short,long] [--json out.json]
 *   node bench/tokenizer.js --write-corpus short|long <file.json>   (the corpus, for build/tools/tokenizer_bench)
 *   npm run bench:tokenizer
 *
 * Method
 * - Corpora: "short" = the 872 SST-2 dev sentences plus the 30 multilingual stress inputs, repeated --repeat
 *   times; "long" = documents of 100 consecutive SST-2 sentences (about 2,000 words, 11 KB) plus the multilingual
 *   inputs joined into one, rotated and repeated to --repeat x 9 documents.
 * - Every implementation runs in its own child process, loaded once: the reference with RAYON_NUM_THREADS=1
 *   (rayon reads it when its pool starts, so it must be in the environment before `tokenizers` is required), the
 *   reference with rayon's default pool (one thread per core), and ours (libuv pool). Idle children wait on IPC
 *   and use no CPU, so measurements never overlap.
 * - 1 thread: batches of --batch texts (--long-batch documents for "long"), one encodeBatch awaited at a time, for both.
 *   All cores: the reference gets the same batches, each spread over rayon's threads; ours splits the batches
 *   into --threads streams (default: the number of cores) and keeps one encodeBatch per stream in flight.
 * - What is read back: both implementations' Encodings are lazy about tokens and offsets, so both are charged for
 *   reading what a classifier needs (ids, type ids, attention mask); the "full output" rows also read tokens and
 *   offsets, on both.
 * - Rounds alternate the implementations (ours, reference, ours, ...) so that machine noise hits both alike; the
 *   table shows medians over --rounds, and the ratio ours/reference of the medians (> 1: ours is faster).
 * - "native only" runs build/tools/tokenizer_bench (scripts/build-bench-native.sh) on the same texts and batches:
 *   the C++ tokenizer with no N-API at all, with and without building token strings. The difference to ours
 *   through the addon is the JS boundary (argument copies, typed arrays, offsets arrays, token strings).
 * - Tokenizer files the build cannot load (e.g. BPE or Unigram before those models land) are reported as
 *   "unsupported by this build" and skipped; ids that differ from the reference are reported and fail the run.
 */
const { fork, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const REALDATA = path.resolve(ROOT, '..', 'shared', 'realdata');
const NATIVE_BENCH = path.join(ROOT, 'build', 'tools', 'tokenizer_bench');
const TARGETS = { 'bert-base-uncased': 2.0, 'roberta-base': 1.5, 't5-small': 1.5 };

// ---------------------------------------------------------------------------------------------------- corpora

function realdataFile(...parts) {
  const file = path.join(REALDATA, ...parts);
  if (!fs.existsSync(file)) {
    throw new Error(`realdata not found at ${file}: the benchmark needs ../shared/realdata beside the project`);
  }
  return file;
}

function baseTexts() {
  const lines = fs.readFileSync(realdataFile('corpora', 'sst2-dev.tsv'), 'utf8').split('\n');
  lines.shift(); // header
  const sst2 = lines.filter((l) => l.length > 0).map((l) => l.slice(0, l.lastIndexOf('\t')));
  const multilingual = JSON.parse(fs.readFileSync(realdataFile('expected', 'multilingual', 'inputs.json'), 'utf8'))
    .inputs.map((input) => input.text);
  return { sst2, multilingual };
}

/** The un-repeated texts of a corpus (what parity is checked on) and the repeated benchmark corpus. */
function makeCorpus(name, repeat) {
  const { sst2, multilingual } = baseTexts();
  let base;
  if (name === 'short') {
    base = [...sst2, ...multilingual];
  } else if (name === 'long') {
    base = [];
    for (let i = 0; i < sst2.length; i += 100) base.push(sst2.slice(i, i + 100).join(' '));
    base.push(multilingual.join('\n'));
  } else {
    throw new Error(`unknown corpus "${name}" (expected short or long)`);
  }
  const texts = [];
  for (let r = 0; r < repeat; ++r) {
    // Rotate each copy so batches do not repeat the same texts in the same order.
    const shift = (r * 37) % base.length;
    texts.push(...base.slice(shift), ...base.slice(0, shift));
  }
  return { base, texts };
}

function batchesOf(texts, size) {
  const batches = [];
  for (let i = 0; i < texts.length; i += size) batches.push(texts.slice(i, i + size));
  return batches;
}

// ---------------------------------------------------------------------------------------------------- workers

/** Child-process side: loads one implementation and answers the parent's commands. */
async function worker(kind) {
  const corpora = new Map();
  let tokenizer = null;

  const impl =
    kind === 'ours'
      ? {
          load: (file) => require(path.join(ROOT, 'lib')).Tokenizer.fromFile(file),
          ids: (encoding) => Array.from(encoding.ids),
          // Ids and masks are typed arrays; tokens and offsets are unpacked when read (lib/tokenizer.js), so
          // "full output" reads them, exactly as it does on the reference's lazy Encoding.
          consume: (encoding, full) =>
            encoding.ids.length +
            encoding.typeIds.length +
            encoding.attentionMask.length +
            (full ? encoding.tokens.length + encoding.offsets.length : 0),
        }
      : {
          load: async (file) => require('tokenizers').Tokenizer.fromFile(file),
          ids: (encoding) => encoding.getIds(),
          consume: (encoding, full) =>
            encoding.getIds().length +
            encoding.getTypeIds().length +
            encoding.getAttentionMask().length +
            (full ? encoding.getTokens().length + encoding.getOffsets().length : 0),
        };

  async function run({ corpus, mode, batch, streams, full }) {
    const batches = batchesOf(corpora.get(corpus), batch);
    let tokens = 0;
    const start = process.hrtime.bigint();
    if (mode === 'concurrent') {
      // `streams` sequences of batches, one encodeBatch of each in flight at a time.
      await Promise.all(
        Array.from({ length: streams }, async (_, s) => {
          for (let b = s; b < batches.length; b += streams) {
            for (const encoding of await tokenizer.encodeBatch(batches[b])) tokens += impl.consume(encoding, full);
          }
        }),
      );
    } else {
      for (const texts of batches) {
        for (const encoding of await tokenizer.encodeBatch(texts)) tokens += impl.consume(encoding, full);
      }
    }
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    return { ms, checksum: tokens };
  }

  process.on('message', async (message) => {
    try {
      if (message.cmd === 'load') {
        try {
          tokenizer = await impl.load(message.file);
          process.send({ ok: true });
        } catch (error) {
          process.send({ ok: false, code: error.code, message: error.message });
        }
      } else if (message.cmd === 'corpus') {
        corpora.set(message.name, message.texts);
        process.send({ ok: true });
      } else if (message.cmd === 'ids') {
        const encodings = await tokenizer.encodeBatch(corpora.get(message.corpus));
        process.send({ ok: true, ids: encodings.map((e) => impl.ids(e)) });
      } else if (message.cmd === 'run') {
        process.send({ ok: true, ...(await run(message)) });
      } else if (message.cmd === 'exit') {
        process.exit(0);
      }
    } catch (error) {
      process.send({ ok: false, message: error.stack || String(error) });
    }
  });
  process.send({ ok: true, ready: true });
}

/** Parent side: a forked worker with a promise-returning request(). */
function startWorker(kind, env) {
  const child = fork(__filename, ['--worker', kind], { env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const waiting = [];
  child.on('message', (message) => waiting.shift()?.resolve(message));
  child.on('exit', (code) => {
    for (const w of waiting.splice(0)) w.reject(new Error(`${kind} worker exited with code ${code}`));
  });
  const next = () => new Promise((resolve, reject) => waiting.push({ resolve, reject }));
  const ready = next();
  return {
    ready,
    async request(message) {
      const reply = next();
      child.send(message);
      const result = await reply;
      if (!result.ok && message.cmd !== 'load') throw new Error(`${kind}: ${result.message}`);
      return result;
    },
    stop() {
      child.send({ cmd: 'exit' });
    },
  };
}

// ---------------------------------------------------------------------------------------------------- parent

function parseArgs(argv) {
  const args = {
    tokenizers: Object.keys(TARGETS),
    rounds: 5,
    repeat: 20,
    batch: 256,
    longBatch: 8,
    threads: typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length,
    corpora: ['short', 'long'],
    json: null,
  };
  for (let i = 0; i < argv.length; ++i) {
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`${argv[i]} needs a value`);
      return argv[++i];
    };
    const int = (name) => {
      const n = Number(value());
      if (!Number.isInteger(n) || n < 1) throw new Error(`Expected integer >= 1 for ${name}`);
      return n;
    };
    switch (argv[i]) {
      case '--tokenizers': args.tokenizers = value().split(','); break;
      case '--rounds': args.rounds = int('--rounds'); break;
      case '--repeat': args.repeat = int('--repeat'); break;
      case '--batch': args.batch = int('--batch'); break;
      case '--long-batch': args.longBatch = int('--long-batch'); break;
      case '--threads': args.threads = int('--threads'); break;
      case '--corpus': args.corpora = value().split(','); break;
      case '--json': args.json = value(); break;
      default: throw new Error(`unknown argument ${argv[i]}`);
    }
  }
  return args;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

function firstDifference(ours, reference, texts) {
  let differing = 0;
  let first = null;
  for (let i = 0; i < texts.length; ++i) {
    const a = ours[i];
    const b = reference[i];
    if (a.length !== b.length || a.some((id, k) => id !== b[k])) {
      ++differing;
      if (!first) first = { index: i, text: texts[i].slice(0, 120), ours: a.slice(0, 24), reference: b.slice(0, 24) };
    }
  }
  return { differing, first };
}

/** Runs build/tools/tokenizer_bench on the corpus: native tokenization alone, no N-API. */
function nativeRun(tokenizerFile, corpusFile, batch, withTokens) {
  const args = [tokenizerFile, corpusFile, '1', String(batch)];
  if (withTokens) args.push('--tokens');
  const result = spawnSync(NATIVE_BENCH, args, { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`tokenizer_bench failed: ${result.stderr || result.error}`);
  return { ms: JSON.parse(result.stdout).seconds * 1000 };
}

async function benchTokenizer(name, args, report) {
  const file = realdataFile('tokenizers', name, 'tokenizer.json');
  const single = { ...process.env, RAYON_NUM_THREADS: '1' };
  const pooled = { ...process.env };
  delete pooled.RAYON_NUM_THREADS;
  const workers = {
    ours: startWorker('ours', pooled),
    ref1: startWorker('reference', single),
    refN: startWorker('reference', pooled),
  };
  const result = { tokenizer: name, target: TARGETS[name] ?? null, corpora: {} };
  try {
    await Promise.all(Object.values(workers).map((w) => w.ready));
    const loads = await Promise.all(Object.values(workers).map((w) => w.request({ cmd: 'load', file })));
    const [oursLoad] = loads;
    if (!oursLoad.ok) {
      result.unsupported = `${oursLoad.code ?? 'ERROR'}: ${oursLoad.message}`;
      console.log(`\n${name}: unsupported by this build (${result.unsupported})`);
      return result;
    }
    const refFailure = loads.slice(1).find((l) => !l.ok);
    if (refFailure) throw new Error(`the reference cannot load ${file}: ${refFailure.message}`);

    for (const corpusName of args.corpora) {
      const repeat = args.repeat;
      const batch = corpusName === 'long' ? args.longBatch : args.batch;
      const { base, texts } = makeCorpus(corpusName, repeat);
      for (const w of Object.values(workers)) {
        await w.request({ cmd: 'corpus', name: `${corpusName}-base`, texts: base });
        await w.request({ cmd: 'corpus', name: corpusName, texts });
      }
      // Identical ids first: a faster tokenizer that is wrong is not faster.
      const [oursIds, refIds] = await Promise.all([
        workers.ours.request({ cmd: 'ids', corpus: `${corpusName}-base` }),
        workers.ref1.request({ cmd: 'ids', corpus: `${corpusName}-base` }),
      ]);
      const parity = firstDifference(oursIds.ids, refIds.ids, base);
      const tokenCount = oursIds.ids.reduce((n, ids) => n + ids.length, 0) * repeat;
      const entry = { texts: texts.length, tokens: tokenCount, batch, parity: parity.differing === 0, rows: {} };
      result.corpora[corpusName] = entry;
      if (parity.differing > 0) {
        entry.firstDifference = parity.first;
        console.log(`\n${name} / ${corpusName}: ids differ from the reference on ${parity.differing} of ${base.length}` +
          ` texts; timing skipped. First: ${JSON.stringify(parity.first)}`);
        report.failed = true;
        continue;
      }

      let corpusFile = null;
      if (fs.existsSync(NATIVE_BENCH)) {
        corpusFile = path.join(os.tmpdir(), `tokenizer-bench-${process.pid}-${corpusName}.json`);
        fs.writeFileSync(corpusFile, JSON.stringify(texts));
      }
      const plan = [
        ['1 thread', 'ours', () => workers.ours.request({ cmd: 'run', corpus: corpusName, mode: 'sequential', batch })],
        ['1 thread', 'reference', () => workers.ref1.request({ cmd: 'run', corpus: corpusName, mode: 'sequential', batch })],
        ['1 thread', 'ours, full output', () => workers.ours.request({ cmd: 'run', corpus: corpusName, mode: 'sequential', batch, full: true })],
        ['1 thread', 'reference, full output', () => workers.ref1.request({ cmd: 'run', corpus: corpusName, mode: 'sequential', batch, full: true })],
        [`${args.threads} threads`, 'ours', () => workers.ours.request({ cmd: 'run', corpus: corpusName, mode: 'concurrent', batch, streams: args.threads })],
        [`${args.threads} threads`, 'reference', () => workers.refN.request({ cmd: 'run', corpus: corpusName, mode: 'sequential', batch })],
      ];
      if (corpusFile) {
        plan.push(['native only', 'ours, no N-API', () => nativeRun(file, corpusFile, batch, false)]);
        plan.push(['native only', 'ours, no N-API, + token strings', () => nativeRun(file, corpusFile, batch, true)]);
      }
      const times = plan.map(() => []);
      // One warm-up pass each (JIT, allocator, rayon pool), then alternating rounds.
      for (const [, , run] of plan) await run();
      for (let round = 0; round < args.rounds; ++round) {
        for (let p = 0; p < plan.length; ++p) times[p].push((await plan[p][2]()).ms);
      }
      if (corpusFile) fs.rmSync(corpusFile, { force: true });

      for (let p = 0; p < plan.length; ++p) {
        const ms = median(times[p]);
        entry.rows[`${plan[p][0]} / ${plan[p][1]}`] = {
          medianMs: ms,
          minMs: Math.min(...times[p]),
          maxMs: Math.max(...times[p]),
          textsPerSecond: texts.length / (ms / 1000),
          tokensPerSecond: tokenCount / (ms / 1000),
        };
      }
      const row = (key) => entry.rows[key];
      entry.ratioSingle = row('1 thread / reference').medianMs / row('1 thread / ours').medianMs;
      entry.ratioSingleFull = row('1 thread / reference, full output').medianMs / row('1 thread / ours, full output').medianMs;
      entry.ratioAllCores = row(`${args.threads} threads / reference`).medianMs / row(`${args.threads} threads / ours`).medianMs;
      if (corpusFile) {
        const native = row('native only / ours, no N-API').medianMs;
        const nativeTokens = row('native only / ours, no N-API, + token strings').medianMs;
        const addon = row('1 thread / ours').medianMs;
        entry.boundaryShare = (addon - native) / addon;
        entry.tokenStringShare = (nativeTokens - native) / addon;
      }
      printEntry(name, corpusName, entry, args);
    }
  } finally {
    for (const w of Object.values(workers)) w.stop();
  }
  return result;
}

function printEntry(name, corpusName, entry, args) {
  const fmt = (n) => (n >= 1e6 ? `${(n / 1e6).toFixed(2)}M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)}k` : n.toFixed(0));
  console.log(`\n${name} / ${corpusName}: ${entry.texts} texts, ${entry.tokens} tokens, ids identical to the reference;` +
    ` medians of ${args.rounds} alternating rounds, batch ${entry.batch}`);
  console.log(`  ${'mode'.padEnd(12)} ${'implementation'.padEnd(32)} ${'median ms'.padStart(10)} ${'(min-max)'.padStart(15)}` +
    ` ${'texts/s'.padStart(9)} ${'tokens/s'.padStart(9)}`);
  for (const [key, row] of Object.entries(entry.rows)) {
    const [mode, implName] = key.split(' / ');
    console.log(`  ${mode.padEnd(12)} ${implName.padEnd(32)} ${row.medianMs.toFixed(1).padStart(10)}` +
      ` ${`(${row.minMs.toFixed(0)}-${row.maxMs.toFixed(0)})`.padStart(15)} ${fmt(row.textsPerSecond).padStart(9)}` +
      ` ${fmt(row.tokensPerSecond).padStart(9)}`);
  }
  const target = TARGETS[name];
  const verdict = (ratio) => (target ? (ratio >= target ? ` (target ${target}: met)` : ` (target ${target}: NOT met)`) : '');
  console.log(`  ratio ours/reference, 1 thread:  ${entry.ratioSingle.toFixed(2)}${verdict(entry.ratioSingle)}` +
    `; both reading tokens and offsets too: ${entry.ratioSingleFull.toFixed(2)}`);
  console.log(`  ratio ours/reference, ${args.threads} threads: ${entry.ratioAllCores.toFixed(2)}${verdict(entry.ratioAllCores)}`);
  if (entry.boundaryShare !== undefined) {
    console.log(`  JS boundary: ${(entry.boundaryShare * 100).toFixed(0)}% of ours (1 thread) is outside native tokenization` +
      ` (token strings alone: ${(entry.tokenStringShare * 100).toFixed(0)}%)`);
  }
}

async function main() {
  const argv = process.argv.slice(2);
  if (argv[0] === '--worker') return worker(argv[1]);
  if (argv[0] === '--write-corpus') {
    const [, corpusName, out] = argv;
    const repeat = Number(argv[3] ?? 20);
    fs.writeFileSync(out, JSON.stringify(makeCorpus(corpusName, repeat).texts));
    return undefined;
  }
  const args = parseArgs(argv);
  console.log(`node ${process.version}, ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown'}), load average` +
    ` ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  if (!fs.existsSync(NATIVE_BENCH)) {
    console.log(`(${NATIVE_BENCH} not built: run scripts/build-bench-native.sh for the native-only rows)`);
  }
  const report = { failed: false, machine: { cores: os.cpus().length, loadavg: os.loadavg() }, args, results: [] };
  for (const name of args.tokenizers) report.results.push(await benchTokenizer(name, args, report));
  if (args.json) fs.writeFileSync(args.json, JSON.stringify(report, null, 2));
  if (report.failed) process.exitCode = 1;
  return undefined;
}

main().catch((error) => {
  console.error(error.stack || String(error));
  process.exit(1);
});
