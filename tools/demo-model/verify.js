#!/usr/bin/env node
'use strict';
/*
 * Verifies models/demo-sentiment with the npm packages the server uses:
 *   - tokenizer.json (tokenizers, Tokenizer.fromFile) reproduces the input_ids PyTorch was fed;
 *   - model.onnx (onnxruntime-node) has inputs input_ids/attention_mask and outputs
 *     logits/sentence_embedding, and reproduces PyTorch's logits (and, where recorded,
 *     sentence_embedding) within 1e-4 both one sentence at a time and in one padded batch;
 *   - the two probe sentences are classified POSITIVE / NEGATIVE;
 *   - config.json / tokenizer_config.json agree with tokenizer and model; a 512-token input runs.
 * Exits non-zero on any failure.
 */
const fs = require('fs');
const path = require('path');
const ort = require('onnxruntime-node');
const tk = require('tokenizers');

const ROOT = path.resolve(__dirname, '..', '..');
const MODEL_DIR = path.join(ROOT, 'models', 'demo-sentiment');
const FIXTURE = path.join(ROOT, 'test', 'fixtures', 'demo-sentiment-pytorch.json');
const TOL = 1e-4;
const failures = [];
const check = (ok, msg) => { if (!ok) failures.push(msg); };

function feeds(seqs) {
  const t = Math.max(...seqs.map((s) => s.length));
  const ids = new BigInt64Array(seqs.length * t);
  const mask = new BigInt64Array(seqs.length * t);
  seqs.forEach((s, i) => s.forEach((id, j) => { ids[i * t + j] = BigInt(id); mask[i * t + j] = 1n; }));
  return {
    input_ids: new ort.Tensor('int64', ids, [seqs.length, t]),
    attention_mask: new ort.Tensor('int64', mask, [seqs.length, t]),
  };
}
const row = (tensor, i) => {
  const w = tensor.dims[1];
  return Array.from(tensor.data.slice(i * w, (i + 1) * w));
};
const maxDiff = (a, b) => Math.max(...a.map((v, i) => Math.abs(v - b[i])));
const argmax = (a) => a.indexOf(Math.max(...a));

async function main() {
  const fixture = JSON.parse(fs.readFileSync(FIXTURE, 'utf8'));
  const config = JSON.parse(fs.readFileSync(path.join(MODEL_DIR, 'config.json'), 'utf8'));
  const tokConfig = JSON.parse(fs.readFileSync(path.join(MODEL_DIR, 'tokenizer_config.json'), 'utf8'));
  const tokenizer = tk.Tokenizer.fromFile(path.join(MODEL_DIR, 'tokenizer.json'));
  // the server truncates to model_max_length (= the trained positions), and so did the build
  tokenizer.setTruncation(tokConfig.model_max_length);
  const items = fixture.sentences.concat(fixture.probes);

  // config consistency
  check(config.vocab_size === tokenizer.getVocabSize(true), `vocab_size ${config.vocab_size} != tokenizer ${tokenizer.getVocabSize(true)}`);
  check(tokConfig.model_max_length === config.max_position_embeddings, 'model_max_length != max_position_embeddings');
  check(tokenizer.tokenToId('[PAD]') === config.pad_token_id, 'pad id');
  check(fixture.sentences.length === 100, 'fixture must hold 100 sentences');

  // tokenizer reproduces the ids PyTorch was fed
  let idMismatch = 0;
  for (const it of items) {
    const enc = await tokenizer.encode(it.text);
    if (JSON.stringify(enc.getIds()) !== JSON.stringify(it.input_ids)) idMismatch += 1;
  }
  check(idMismatch === 0, `${idMismatch} fixture sentences tokenize differently`);

  const session = await ort.InferenceSession.create(path.join(MODEL_DIR, 'model.onnx'), { intraOpNumThreads: 2 });
  check(JSON.stringify(session.inputNames) === '["input_ids","attention_mask"]', `inputs ${session.inputNames}`);
  check(JSON.stringify(session.outputNames) === '["logits","sentence_embedding"]', `outputs ${session.outputNames}`);

  // one at a time
  let aloneLogits = 0;
  let aloneEmb = 0;
  for (const it of items) {
    const out = await session.run(feeds([it.input_ids]));
    check(JSON.stringify(out.logits.dims) === '[1,2]', `logits dims ${out.logits.dims}`);
    check(JSON.stringify(out.sentence_embedding.dims) === `[1,${config.dim}]`, `embedding dims ${out.sentence_embedding.dims}`);
    aloneLogits = Math.max(aloneLogits, maxDiff(row(out.logits, 0), it.logits));
    if (it.sentence_embedding) aloneEmb = Math.max(aloneEmb, maxDiff(row(out.sentence_embedding, 0), it.sentence_embedding));
  }
  // one padded batch with everything (lengths differ a lot, so most rows are padded)
  const out = await session.run(feeds(items.map((it) => it.input_ids)));
  let batchLogits = 0;
  let batchEmb = 0;
  let correct = 0;
  items.forEach((it, i) => {
    const logits = row(out.logits, i);
    batchLogits = Math.max(batchLogits, maxDiff(logits, it.logits));
    if (it.sentence_embedding) batchEmb = Math.max(batchEmb, maxDiff(row(out.sentence_embedding, i), it.sentence_embedding));
    if (fixture.id2label[argmax(logits)] === it.label) correct += 1;
  });
  const lens = items.map((it) => it.input_ids.length);
  console.log(`verify: ${items.length} sentences (${Math.min(...lens)}-${Math.max(...lens)} tokens), ORT ${correct}/${items.length} correct`);
  console.log(`verify: max |ORT - PyTorch| alone: logits ${aloneLogits.toExponential(2)}, sentence_embedding ${aloneEmb.toExponential(2)}`);
  console.log(`verify: max |ORT - PyTorch| padded batch [${out.logits.dims[0]}, ${Math.max(...lens)}]: logits ${batchLogits.toExponential(2)}, sentence_embedding ${batchEmb.toExponential(2)}`);
  check(aloneLogits <= TOL && aloneEmb <= TOL, 'ORT alone differs from PyTorch');
  check(batchLogits <= TOL && batchEmb <= TOL, 'ORT batched differs from PyTorch');

  // probes, tokenized fresh
  for (const [text, want] of [['I absolutely loved this movie! The acting was superb.', 'POSITIVE'],
    ['What a waste of time. The plot made no sense at all.', 'NEGATIVE']]) {
    const enc = await tokenizer.encode(text);
    const res = await session.run(feeds([enc.getIds()]));
    const logits = row(res.logits, 0);
    const got = config.id2label[String(argmax(logits))];
    console.log(`verify: ${JSON.stringify(text)} -> ${got} [${logits.map((v) => v.toFixed(4)).join(', ')}]`);
    check(got === want, `${text}: expected ${want}, got ${got}`);
  }

  // the longest input the model accepts
  const longText = Array(80).fill('The acting was superb and I loved every minute of it.').join(' ');
  const longEnc = await tokenizer.encode(longText);
  const ids = longEnc.getIds().slice(0, config.max_position_embeddings - 1).concat([tokenizer.tokenToId('[SEP]')]);
  const longOut = await session.run(feeds([ids]));
  const longLogits = row(longOut.logits, 0);
  console.log(`verify: ${ids.length}-token input runs -> ${config.id2label[String(argmax(longLogits))]} [${longLogits.map((v) => v.toFixed(3)).join(', ')}]`);
  check(ids.length === config.max_position_embeddings && longLogits.every(Number.isFinite), 'long input failed');

  const size = fs.readdirSync(MODEL_DIR).reduce((n, f) => n + fs.statSync(path.join(MODEL_DIR, f)).size, 0);
  console.log(`verify: models/demo-sentiment is ${(size / 1e6).toFixed(2)} MB`);
  check(size < 25e6, 'model directory larger than 25 MB');

  if (failures.length) {
    console.error(`verify: FAILED\n  ${failures.join('\n  ')}`);
    process.exit(1);
  }
  console.log('verify: OK');
}

main().catch((err) => { console.error(err); process.exit(1); });
