#!/usr/bin/env node
'use strict';
/*
 * Encodes the corpus with models/demo-sentiment/tokenizer.json using the
 * `tokenizers` npm package (the Python `tokenizers` package is not available),
 * so PyTorch trains on exactly the ids the server's tokenizer produces.
 *
 * Writes tools/demo-model/work/<split>.ids.jsonl, one {"text","label","source","ids"} per line
 * (label: 0 = NEGATIVE, 1 = POSITIVE), truncated to --max-length tokens
 * (default 128, [CLS]/[SEP] kept).
 * Splits: train, calib, test (written by prepare-data.py, with their `source`), probes (the two demo sentences), and - if present - the real SST-2 dev set
 * (/work/shared/realdata/corpora/sst2-dev.tsv, columns "sentence<TAB>label" with
 * 1 = positive). SST-2 is only read here for evaluation; its ids stay in the
 * git-ignored work directory.
 *
 * Usage: node pretokenize.js [--max-length 128] [--sst2 PATH]
 */
const fs = require('fs');
const path = require('path');
const tk = require('tokenizers');

const ROOT = path.resolve(__dirname, '..', '..');
const WORK = path.join(__dirname, 'work');
const opts = { 'max-length': 128, sst2: '/work/shared/realdata/corpora/sst2-dev.tsv' };
for (let i = 2; i < process.argv.length; i += 2) {
  const key = process.argv[i].replace(/^--/, '');
  if (!(key in opts) || process.argv[i + 1] === undefined) throw new Error(`unknown/incomplete option ${process.argv[i]}`);
  opts[key] = key === 'max-length' ? Number(process.argv[i + 1]) : process.argv[i + 1];
}

function readTsv(file, textCol, labelCol, labelMap) {
  const lines = fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() !== '');
  const header = lines[0].split('\t');
  const ti = header.indexOf(textCol);
  const li = header.indexOf(labelCol);
  if (ti < 0 || li < 0) throw new Error(`${file}: expected columns ${textCol}/${labelCol}, got ${header}`);
  const si = header.indexOf('source');
  return lines.slice(1).map((l) => {
    const cols = l.split('\t');
    const label = labelMap(cols[li].trim());
    if (label !== 0 && label !== 1) throw new Error(`${file}: bad label in ${JSON.stringify(l)}`);
    return si < 0 ? { text: cols[ti].trim(), label } : { text: cols[ti].trim(), label, source: cols[si].trim() };
  });
}

async function encodeAll(tokenizer, rows, outFile) {
  const out = fs.openSync(outFile, 'w');
  let truncated = 0;
  for (let i = 0; i < rows.length; i += 1000) {
    const chunk = rows.slice(i, i + 1000);
    const encs = await tokenizer.encodeBatch(chunk.map((r) => r.text));
    const lines = encs.map((e, j) => {
      if (e.getOverflowing().length > 0) truncated += 1;
      return JSON.stringify({ ...chunk[j], ids: e.getIds() });
    });
    fs.writeSync(out, lines.join('\n') + '\n');
  }
  fs.closeSync(out);
  return truncated;
}

async function main() {
  const tokenizer = tk.Tokenizer.fromFile(path.join(ROOT, 'models', 'demo-sentiment', 'tokenizer.json'));
  tokenizer.setTruncation(opts['max-length']); // in-memory only; tokenizer.json keeps truncation null
  const splits = ['train', 'calib', 'test'].map((name) => [name, readTsv(path.join(WORK, `${name}.tsv`), 'text', 'label', Number)]);
  // the two sentences the served demo is checked against (not part of the corpus)
  splits.push(['probes', [
    { text: 'I absolutely loved this movie! The acting was superb.', label: 1 },
    { text: 'What a waste of time. The plot made no sense at all.', label: 0 },
  ]]);
  if (fs.existsSync(opts.sst2)) splits.push(['sst2-dev', readTsv(opts.sst2, 'sentence', 'label', Number)]);
  else console.warn(`pretokenize: ${opts.sst2} not found, skipping the SST-2 evaluation set`);
  for (const [name, rows] of splits) {
    const truncated = await encodeAll(tokenizer, rows, path.join(WORK, `${name}.ids.jsonl`));
    console.log(`pretokenize: ${name}: ${rows.length} rows (${truncated} truncated to ${opts['max-length']}) -> work/${name}.ids.jsonl`);
  }
}

main().catch((err) => { console.error(err); process.exit(1); });
