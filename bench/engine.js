'use strict';
/**
 * Engine throughput benchmark: prints ratios measured side by side in the same run (never asserted in tests).
 *
 *   (a) the engine under many concurrent single-text callers, against a direct loop that runs ONNX Runtime
 *       (onnxruntime-node's InferenceSession, the same library) on pre-tokenized, length-sorted batches at its
 *       best batch size: the ceiling that dynamic batching can approach. Target: at least 0.9.
 *   (b) the event loop's p99 delay (perf_hooks.monitorEventLoopDelay) while the engine is saturated. Target: < 5 ms.
 *   (c) the same concurrent workload through @huggingface/transformers' text-classification pipeline on the same
 *       ONNX files, the Node peer users would pick instead. Target: at least 3x its throughput.
 *
 * Usage: node bench/engine.js [--model demo|bert-base] [--texts N] [--repeats R] [--concurrency C]
 *                            [--runners N] [--intra N]   (the engine's runners and intra-op threads per runner;
 *                                                        default: the engine's own defaults)
 *   demo       models/demo-sentiment (the project's small model)
 *   bert-base  a BERT-base-sized classifier with random weights (12 layers, hidden 768), generated on first use by
 *              tools/bert-base-random/make_model.py into bench/models/ (git-ignored; needs python3-torch)
 * Every system uses the same intra-op thread count (all cores) and the same texts (SST-2 dev sentences from
 * ../shared/realdata). Each measurement is repeated, the systems alternate, and medians are reported.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { modelDir } = require('./models');
const { monitorEventLoopDelay, performance } = require('node:perf_hooks');
const ort = require('onnxruntime-node');
const { benchOptions } = require('./options');
const { Engine, Tokenizer } = require('..');

const ROOT = path.resolve(__dirname, '..');
const SST2 = path.resolve(ROOT, '..', 'shared', 'realdata', 'corpora', 'sst2-dev.tsv');

function parseArgs() {
  const args = benchOptions({ model: 'demo', texts: 0, repeats: 3, concurrency: 64, runners: 0, intra: 0 });
  if (!args.texts) args.texts = args.model === 'demo' ? 1744 : 192;
  return args;
}

function corpus(count) {
  if (!fs.existsSync(SST2)) throw new Error(`${SST2} not found: the benchmark needs ../shared/realdata beside the project`);
  const sentences = fs
    .readFileSync(SST2, 'utf8')
    .split('\n')
    .slice(1)
    .map((line) => line.split('\t')[0])
    .filter((s) => s && s.trim());
  const texts = [];
  while (texts.length < count) texts.push(...sentences);
  return texts.slice(0, count);
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** Keeps `concurrency` single-text calls in flight until every text is done; texts/s and event-loop delay. */
async function driveConcurrent(texts, concurrency, call) {
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  const started = performance.now();
  let next = 0;
  const worker = async () => {
    while (next < texts.length) await call(texts[next++]);
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - started) / 1000;
  delay.disable();
  return { perSecond: texts.length / seconds, p99Ms: delay.percentile(99) / 1e6, maxMs: delay.max / 1e6 };
}

/** onnxruntime-node directly on pre-tokenized batches, sorted by length (the least padding possible). */
async function directLoop(session, encodings, batchSize, hasTypeIds) {
  const sorted = [...encodings].sort((a, b) => a.ids.length - b.ids.length);
  const started = performance.now();
  for (let i = 0; i < sorted.length; i += batchSize) {
    const rows = sorted.slice(i, i + batchSize);
    const length = Math.max(...rows.map((r) => r.ids.length));
    const ids = new BigInt64Array(rows.length * length);
    const mask = new BigInt64Array(rows.length * length);
    rows.forEach((r, row) => {
      for (let j = 0; j < r.ids.length; j++) {
        ids[row * length + j] = BigInt(r.ids[j]);
        mask[row * length + j] = 1n;
      }
    });
    const feeds = {
      input_ids: new ort.Tensor('int64', ids, [rows.length, length]),
      attention_mask: new ort.Tensor('int64', mask, [rows.length, length]),
    };
    if (hasTypeIds) feeds.token_type_ids = new ort.Tensor('int64', new BigInt64Array(rows.length * length), [rows.length, length]);
    await session.run(feeds);
  }
  return sorted.length / ((performance.now() - started) / 1000);
}

async function main() {
  const args = parseArgs();
  const dir = modelDir(args.model);
  const texts = corpus(args.texts);
  const threads = os.cpus().length;
  const engineOptions = { cacheSize: 0 };
  if (args.runners) engineOptions.runners = args.runners;
  if (args.intra) engineOptions.intraOpThreads = args.intra;
  const engine = await Engine.load(dir, engineOptions);
  const { batching } = engine.info();
  console.log(`model ${args.model} (${dir}); ${texts.length} SST-2 texts; ${threads} intra-op threads ` +
    `for the baselines (engine: ${batching.runners} runner(s) x ${batching.intraOpThreads} thread(s), ` +
    `maxBatchSize ${batching.maxBatchSize}, maxWaitMs ${batching.maxWaitMs}, maxPaddingRatio ${batching.maxPaddingRatio}); ` +
    `${args.concurrency} concurrent callers; ${args.repeats} repeats; ${os.cpus()[0].model}`);

  const hasTypeIds = engine.info().inputs.some((i) => i.name === 'token_type_ids');
  const tokenizer = await Tokenizer.fromFile(path.join(dir, 'tokenizer.json'));
  const encodings = (await tokenizer.encodeBatch(texts)).map((e) => ({ ids: Array.from(e.ids) }));
  // The direct loop gets every advantage: both thread policies (ONNX Runtime's default spinning threads, and
  // sleeping ones as the engine uses), every batch size, length-sorted batches; its best figure is the baseline.
  const sessions = [];
  for (const spinning of ['1', '0']) {
    sessions.push(await ort.InferenceSession.create(path.join(dir, 'model.onnx'), {
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      graphOptimizationLevel: 'all',
      extra: { session: { intra_op: { allow_spinning: spinning } } },
    }));
  }
  const { pipeline, env } = await import('@huggingface/transformers');
  env.allowRemoteModels = false;
  const { localModelPath, modelName } = transformersLayout(dir);
  env.localModelPath = localModelPath;
  const classifier = await pipeline('text-classification', modelName, { dtype: 'fp32', session_options: { intraOpNumThreads: threads } });

  // Warm every system once.
  await driveConcurrent(texts.slice(0, 32), args.concurrency, (t) => engine.classify([t]));
  for (const session of sessions) await directLoop(session, encodings.slice(0, 32), 8, hasTypeIds);
  await driveConcurrent(texts.slice(0, 8), 8, (t) => classifier(t));

  const batchSizes = args.model === 'demo' ? [1, 4, 8, 16, 32, 64] : [1, 8, 16, 32];
  const results = { engine: [], p99: [], direct: [], directBatch: [], transformers: [] };
  for (let r = 0; r < args.repeats; r++) {
    const run = await driveConcurrent(texts, args.concurrency, (t) => engine.classify([t]));
    results.engine.push(run.perSecond);
    results.p99.push(run.p99Ms);
    let best = 0;
    let bestSize = 0;
    for (const [s, session] of sessions.entries()) {
      for (const size of batchSizes) {
        const perSecond = await directLoop(session, encodings, size, hasTypeIds);
        if (perSecond > best) [best, bestSize] = [perSecond, `${size}${s === 0 ? ' (spinning threads)' : ''}`];
      }
    }
    results.direct.push(best);
    results.directBatch.push(bestSize);
    const hf = await driveConcurrent(texts, args.concurrency, (t) => classifier(t));
    results.transformers.push(hf.perSecond);
    console.log(`  repeat ${r + 1}: engine ${run.perSecond.toFixed(1)} texts/s (event loop p99 ${run.p99Ms.toFixed(2)} ms), ` +
      `direct ${best.toFixed(1)} texts/s at batch ${bestSize}, transformers.js ${hf.perSecond.toFixed(1)} texts/s`);
  }
  const stats = engine.stats();
  await engine.close();

  const engineMedian = median(results.engine);
  console.log(`\nmedians over ${args.repeats} repeats (${args.model}):`);
  console.log(`  engine, ${args.concurrency} concurrent single-text callers: ${engineMedian.toFixed(1)} texts/s ` +
    `(mean batch size ${(stats.batchSize.sum / stats.batchSize.count).toFixed(1)})`);
  console.log(`  direct ONNX Runtime loop, best batch size:            ${median(results.direct).toFixed(1)} texts/s`);
  console.log(`  @huggingface/transformers pipeline:                   ${median(results.transformers).toFixed(1)} texts/s`);
  console.log(`  (a) engine / direct loop          = ${(engineMedian / median(results.direct)).toFixed(2)}   (target >= 0.9)`);
  console.log(`  (b) event-loop p99 while saturated = ${median(results.p99).toFixed(2)} ms (target < 5 ms)`);
  console.log(`  (c) engine / transformers.js       = ${(engineMedian / median(results.transformers)).toFixed(2)}   (target >= 3)`);
}

/**
 * @huggingface/transformers reads <model>/onnx/model.onnx and needs tokenizer_config.json: it gets a directory of
 * symbolic links to the same files under bench/models/transformers-js/ (git-ignored), never copies.
 */
function transformersLayout(dir) {
  const localModelPath = path.join(ROOT, 'bench', 'models', 'transformers-js');
  const modelName = path.basename(dir);
  const target = path.join(localModelPath, modelName);
  fs.mkdirSync(path.join(target, 'onnx'), { recursive: true });
  const links = { 'config.json': 'config.json', 'tokenizer.json': 'tokenizer.json', 'onnx/model.onnx': 'model.onnx' };
  if (fs.existsSync(path.join(dir, 'tokenizer_config.json'))) links['tokenizer_config.json'] = 'tokenizer_config.json';
  for (const [link, file] of Object.entries(links)) {
    const at = path.join(target, link);
    if (fs.existsSync(at) || fs.lstatSync(path.dirname(at)).isDirectory() && fs.readdirSync(path.dirname(at)).includes(path.basename(at))) {
      fs.rmSync(at, { force: true });
    }
    fs.symlinkSync(fs.realpathSync(path.join(dir, file)), at);
  }
  return { localModelPath, modelName };
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
