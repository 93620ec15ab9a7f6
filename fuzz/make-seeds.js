'use strict';
/**
 * Writes the fuzzers' seed corpora under <out>/seeds-load and <out>/seeds-encode, derived from ../shared/realdata
 * (read in place; nothing is copied into the repository). Run by scripts/build-fuzzers.sh.
 *   node fuzz/make-seeds.js build/fuzz
 */
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const REALDATA = path.resolve(ROOT, '..', 'shared', 'realdata');
const out = path.resolve(process.argv[2] || path.join(ROOT, 'build', 'fuzz'));
if (!fs.existsSync(REALDATA)) {
  console.error(`make-seeds: realdata not found at ${REALDATA}; the fuzzers need ../shared/realdata beside the project`);
  process.exit(1);
}
const loadDir = path.join(out, 'seeds-load');
const encodeDir = path.join(out, 'seeds-encode');
fs.mkdirSync(loadDir, { recursive: true });
fs.mkdirSync(encodeDir, { recursive: true });

/** A small, still valid, tokenizer.json: the vocabulary cut to the added tokens and the first `keep` entries. */
function shrink(json, keep) {
  const copy = JSON.parse(JSON.stringify(json));
  const special = new Set((copy.added_tokens || []).map((t) => t.content));
  const model = copy.model || {};
  if (model.vocab && !Array.isArray(model.vocab)) {
    const entries = Object.entries(model.vocab).filter(([token], i) => i < keep || special.has(token) || token === model.unk_token);
    model.vocab = Object.fromEntries(entries);
  } else if (Array.isArray(model.vocab)) {
    model.vocab = model.vocab.slice(0, keep);
  }
  if (Array.isArray(model.merges)) model.merges = model.merges.slice(0, keep);
  if (copy.normalizer && copy.normalizer.precompiled_charsmap) copy.normalizer.precompiled_charsmap = '';
  return copy;
}

const names = fs.readdirSync(path.join(REALDATA, 'tokenizers'));
let written = 0;
for (const name of names) {
  const file = path.join(REALDATA, 'tokenizers', name, 'tokenizer.json');
  if (!fs.existsSync(file)) continue;
  const json = JSON.parse(fs.readFileSync(file, 'utf8'));
  fs.writeFileSync(path.join(loadDir, `${name}-small.json`), JSON.stringify(shrink(json, 200)));
  fs.writeFileSync(path.join(loadDir, `${name}-tiny.json`), JSON.stringify(shrink(json, 20), null, 1));
  written += 2;
}
// One whole real file, so mutations of a genuine large vocabulary are tried too.
fs.copyFileSync(path.join(REALDATA, 'tokenizers', 'bert-base-uncased', 'tokenizer.json'), path.join(loadDir, 'bert-base-uncased-full.json'));

const lines = fs.readFileSync(path.join(REALDATA, 'corpora', 'sst2-dev.tsv'), 'utf8').split('\n').slice(1);
const texts = lines.filter((l) => l).map((l) => l.slice(0, l.lastIndexOf('\t'))).filter((_, i) => i % 8 === 0);
const multilingual = JSON.parse(fs.readFileSync(path.join(REALDATA, 'expected', 'multilingual', 'inputs.json'), 'utf8'));
texts.push(...multilingual.inputs.map((i) => i.text));
texts.forEach((text, i) => {
  const header = Buffer.from([i % 6, i % 4]);
  fs.writeFileSync(path.join(encodeDir, `text-${i}`), Buffer.concat([header, Buffer.from(text, 'utf8')]));
});
console.log(`make-seeds: ${written + 1} tokenizer.json seeds in ${loadDir}, ${texts.length} text seeds in ${encodeDir}`);
