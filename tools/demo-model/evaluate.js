#!/usr/bin/env node
'use strict';
/*
 * Measures the shipped artifact (model.onnx + tokenizer.json, run with onnxruntime-node and the `tokenizers` npm
 * package, truncated to the model's model_max_length as the server does) on data its training never saw:
 *   - GLUE SST-2 dev (../shared/realdata/corpora/sst2-dev.tsv): accuracy and expected calibration error;
 *   - the held-out test split of every training source (tools/demo-model/work/test.tsv, made by prepare-data.py
 *     before any vocabulary or training step): accuracy and ECE per source.
 * ECE: 10 equal-width bins of the top-class probability, |accuracy - mean confidence| weighted by bin size.
 * Prints a table; with --write, stores the figures under "onnx_evaluation" in the model's eval_results.json.
 *
 * Usage: node evaluate.js [--model DIR] [--sst2 PATH] [--heldout PATH] [--write]
 */
const fs = require('fs');
const path = require('path');
const ort = require('onnxruntime-node');
const tk = require('tokenizers');

const ROOT = path.resolve(__dirname, '..', '..');
const opts = {
  model: path.join(ROOT, 'models', 'demo-sentiment'),
  sst2: path.resolve(ROOT, '..', 'shared', 'realdata', 'corpora', 'sst2-dev.tsv'),
  heldout: path.join(__dirname, 'work', 'test.tsv'),
  write: false,
};
for (let i = 2; i < process.argv.length; i += 1) {
  const key = process.argv[i].replace(/^--/, '');
  if (key === 'write') opts.write = true;
  else if (key in opts && process.argv[i + 1] !== undefined) opts[key] = process.argv[++i];
  else throw new Error(`unknown/incomplete option ${process.argv[i]}`);
}

function readTsv(file, textCol) {
  if (!fs.existsSync(file)) throw new Error(`${file} not found (run tools/demo-model/build.sh, or pass the path)`);
  const lines = fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() !== '');
  const header = lines[0].split('\t');
  const [ti, li, si] = [header.indexOf(textCol), header.indexOf('label'), header.indexOf('source')];
  if (ti < 0 || li < 0) throw new Error(`${file}: expected columns ${textCol} and label, got ${header}`);
  return lines.slice(1).map((l) => {
    const c = l.split('\t');
    return { text: c[ti].trim(), label: Number(c[li]), source: si >= 0 ? c[si] : 'sst2_dev' };
  });
}

function softmax(a) {
  const m = Math.max(...a);
  const e = a.map((x) => Math.exp(x - m));
  const s = e.reduce((p, q) => p + q, 0);
  return e.map((x) => x / s);
}

function metrics(results) {
  const bins = Array.from({ length: 10 }, () => ({ n: 0, correct: 0, conf: 0 }));
  let correct = 0;
  for (const r of results) {
    const ok = r.pred === r.label ? 1 : 0;
    correct += ok;
    const b = bins[Math.min(9, Math.max(0, Math.ceil(r.conf * 10) - 1))];
    b.n += 1;
    b.correct += ok;
    b.conf += r.conf;
  }
  const ece = bins.reduce((s, b) => (b.n ? s + (b.n / results.length) * Math.abs(b.correct / b.n - b.conf / b.n) : s), 0);
  return { n: results.length, accuracy: +(correct / results.length).toFixed(4), ece: +ece.toFixed(4) };
}

async function classify(session, tokenizer, rows) {
  const out = [];
  for (let i = 0; i < rows.length; i += 64) {
    const chunk = rows.slice(i, i + 64);
    const encs = await tokenizer.encodeBatch(chunk.map((r) => r.text));
    const seqs = encs.map((e) => e.getIds());
    const t = Math.max(...seqs.map((s) => s.length));
    const ids = new BigInt64Array(seqs.length * t);
    const mask = new BigInt64Array(seqs.length * t);
    seqs.forEach((s, k) => s.forEach((id, j) => { ids[k * t + j] = BigInt(id); mask[k * t + j] = 1n; }));
    const res = await session.run({
      input_ids: new ort.Tensor('int64', ids, [seqs.length, t]),
      attention_mask: new ort.Tensor('int64', mask, [seqs.length, t]),
    });
    chunk.forEach((r, k) => {
      const p = softmax(Array.from(res.logits.data.slice(k * 2, k * 2 + 2)));
      const pred = p[1] > p[0] ? 1 : 0;
      out.push({ ...r, pred, conf: p[pred] });
    });
  }
  return out;
}

async function main() {
  const tokConfig = JSON.parse(fs.readFileSync(path.join(opts.model, 'tokenizer_config.json'), 'utf8'));
  const tokenizer = tk.Tokenizer.fromFile(path.join(opts.model, 'tokenizer.json'));
  tokenizer.setTruncation(tokConfig.model_max_length);
  const session = await ort.InferenceSession.create(path.join(opts.model, 'model.onnx'), { intraOpNumThreads: 1 });
  const report = { model: path.relative(ROOT, opts.model), max_length: tokConfig.model_max_length };
  report.sst2_dev = metrics(await classify(session, tokenizer, readTsv(opts.sst2, 'sentence')));
  const held = await classify(session, tokenizer, readTsv(opts.heldout, 'text'));
  report.heldout = metrics(held);
  report.heldout_per_source = {};
  for (const source of [...new Set(held.map((r) => r.source))].sort()) {
    report.heldout_per_source[source] = metrics(held.filter((r) => r.source === source));
  }
  const row = (name, m) => console.log(`| ${name} | ${m.n} | ${m.accuracy.toFixed(4)} | ${m.ece.toFixed(4)} |`);
  console.log('| set | texts | accuracy | ECE |\n|---|---|---|---|');
  row('GLUE SST-2 dev', report.sst2_dev);
  row('held-out, all sources', report.heldout);
  for (const [s, m] of Object.entries(report.heldout_per_source)) row(`held-out ${s}`, m);
  if (opts.write) {
    const file = path.join(opts.model, 'eval_results.json');
    const results = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : {};
    results.onnx_evaluation = report;
    fs.writeFileSync(file, JSON.stringify(results, null, 2) + '\n');
    console.log(`evaluate: figures written to ${path.relative(ROOT, file)} (onnx_evaluation)`);
  }
}

main().catch((err) => { console.error(err); process.exit(1); });
