'use strict';
/**
 * Time to evaluate one drift window (src/drift/evaluate-window.ts) on one core: a reference and a window of
 * --size rows each, --dim projected embedding dimensions, --permutations MMD permutations, realistic feature
 * shapes (Gaussian embeddings, skewed confidences, Poisson token counts, zero-inflated shares, 3 labels).
 * Reports the median and spread over --repeats runs (each with a new seed), plus the MMD test alone, as wall time
 * and as this process's CPU time (user + system; the work is single-threaded, so CPU time is the time on one core
 * and stays meaningful when the machine is shared and the wall time is inflated by other processes).
 *
 *   npm run build && node bench/drift-evaluate-window.js [--size 1000] [--dim 32] [--permutations 500] [--repeats 7]
 */
const { performance } = require('perf_hooks');
const path = require('path');

const dist = process.env.DRIFT_DIST || path.join(__dirname, '..', 'dist', 'drift');
let evaluateWindow, referenceBandwidth, SeededRandom, mmdPermutationTest;
try {
  ({ evaluateWindow, referenceBandwidth } = require(path.join(dist, 'evaluate-window.js')));
  ({ SeededRandom } = require(path.join(dist, 'stats', 'seeded-random.js')));
  ({ mmdPermutationTest } = require(path.join(dist, 'stats', 'mmd.js')));
} catch (error) {
  console.error(`Cannot load the compiled drift code from ${dist}: run "npm run build" first (${error.message})`);
  process.exit(1);
}

function argument(name, fallback) {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? Number(process.argv[index + 1]) : fallback;
}

function poisson(random, lambda) {
  const limit = Math.exp(-lambda);
  let k = 0;
  let product = random.nextFloat();
  while (product > limit) {
    k += 1;
    product *= random.nextFloat();
  }
  return k;
}

function featureSet(random, size, dim) {
  const embedding = new Float64Array(size * dim);
  for (let i = 0; i < embedding.length; i++) embedding[i] = random.nextGaussian() * (1 + (i % dim) / dim);
  const set = {
    size, embedding, embeddingDim: dim,
    confidence: new Float64Array(size), entropy: new Float64Array(size), tokenCount: new Float64Array(size),
    unknownShare: new Float64Array(size), nonLetterShare: new Float64Array(size),
    truncated: new Uint8Array(size), label: new Uint16Array(size), labels: ['negative', 'neutral', 'positive'],
  };
  for (let r = 0; r < size; r++) {
    const p = 0.5 + 0.5 * (1 - Math.pow(random.nextFloat(), 3));
    set.confidence[r] = p;
    set.entropy[r] = -(p * Math.log(p) + (1 - p) * Math.log(Math.max(1 - p, 1e-12)));
    set.tokenCount[r] = 2 + poisson(random, 18);
    set.unknownShare[r] = random.nextFloat() < 0.9 ? 0 : Math.round(random.nextFloat() * 20) / 100;
    set.nonLetterShare[r] = Math.round(random.nextFloat() * 30) / 100;
    set.truncated[r] = random.nextFloat() < 0.02 ? 1 : 0;
    set.label[r] = random.nextInt(3);
  }
  return set;
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

const size = argument('size', 1000);
const dim = argument('dim', 32);
const permutations = argument('permutations', 500);
const repeats = argument('repeats', 7);
const whole = [];
const wholeCpu = [];
const mmdOnly = [];
const mmdOnlyCpu = [];
const cpuMs = (usage) => (usage.user + usage.system) / 1000;
for (let run = 0; run < repeats; run++) {
  const random = new SeededRandom(1000 + run);
  const reference = featureSet(random, size, dim);
  const window = featureSet(random, size, dim);
  const bandwidth = referenceBandwidth(reference);
  let start = performance.now();
  let cpu = process.cpuUsage();
  const evaluation = evaluateWindow(reference, window, { alpha: 0.05, permutations, seed: run, bandwidth });
  whole.push(performance.now() - start);
  wholeCpu.push(cpuMs(process.cpuUsage(cpu)));
  start = performance.now();
  cpu = process.cpuUsage();
  mmdPermutationTest(reference.embedding, window.embedding, dim, { bandwidth, permutations, seed: run });
  mmdOnly.push(performance.now() - start);
  mmdOnlyCpu.push(cpuMs(process.cpuUsage(cpu)));
  if (run === 0) console.log(`tests per window: ${evaluation.tests.length}, status of a same-distribution window: ${evaluation.status}`);
}
const format = (values) => `median ${median(values).toFixed(0)} ms (min ${Math.min(...values).toFixed(0)}, max ${Math.max(...values).toFixed(0)})`;
console.log(`evaluateWindow ${size} vs ${size}, ${dim} dims, ${permutations} permutations, ${repeats} runs`);
console.log(`  whole window: CPU ${format(wholeCpu)}; wall ${format(whole)}`);
console.log(`  MMD permutation test alone: CPU ${format(mmdOnlyCpu)}; wall ${format(mmdOnly)}`);
