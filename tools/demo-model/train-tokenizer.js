#!/usr/bin/env node
'use strict';
/*
 * Trains the demo model's WordPiece tokenizer (BERT-uncased style) with the
 * `tokenizers` npm package (Hugging Face's Rust tokenizers) and saves
 * models/demo-sentiment/tokenizer.json (+ vocab.txt).
 *
 * The Node binding (tokenizers@0.23.x) exposes Tokenizer.train(files) but no
 * trainer constructor (no WordPieceTrainer options such as vocabSize or
 * specialTokens): train() always uses the model's default trainer
 * (vocab_size 30000, no special tokens). So we:
 *   1. train a WordPiece model with that default trainer on the training split
 *      (plus a tiny "alphabet" file so every ASCII letter/digit/punctuation mark
 *      exists as a word-initial and a "##" continuation piece -> no [UNK] for
 *      ordinary English words outside the corpus);
 *   2. read back the learned vocabulary, whose ids follow the order in which the
 *      trainer created the tokens (alphabet first, then merges by frequency).
 *      The trainer is greedy, so the first K tokens are exactly what it would
 *      have produced with vocab_size=K; we keep the first (VOCAB_SIZE - 5);
 *   3. rebuild a WordPiece model from [PAD]=0 [UNK]=1 [CLS]=2 [SEP]=3 [MASK]=4 +
 *      that vocabulary with WordPiece.init, and assemble the full pipeline:
 *      bertNormalizer(lowercase) -> bertPreTokenizer -> WordPiece ->
 *      templateProcessing("[CLS] $A [SEP]", "[CLS] $A [SEP] $B:1 [SEP]:1") ->
 *      wordPieceDecoder.
 * Finally the saved file is reloaded with Tokenizer.fromFile and checked.
 *
 * Usage: node train-tokenizer.js [--vocab 10000] [--work DIR] [--out DIR]
 */
const fs = require('fs');
const path = require('path');
const assert = require('assert');
const tk = require('tokenizers');

const SPECIALS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'];

function parseArgs(argv) {
  const opts = {
    vocab: 10000,
    work: path.join(__dirname, 'work'),
    out: path.resolve(__dirname, '..', '..', 'models', 'demo-sentiment'),
  };
  for (let i = 2; i < argv.length; i += 2) {
    const key = argv[i].replace(/^--/, '');
    if (!(key in opts) || argv[i + 1] === undefined) throw new Error(`unknown/incomplete option ${argv[i]}`);
    opts[key] = key === 'vocab' ? Number(argv[i + 1]) : argv[i + 1];
  }
  return opts;
}

function readTsvTexts(file) {
  const lines = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean);
  assert.strictEqual(lines[0], 'text\tlabel\tsource', `${file}: unexpected header`);
  return lines.slice(1).map((l) => l.split('\t')[0]);
}

function configure(tokenizer) {
  tokenizer.setNormalizer(tk.bertNormalizer({ cleanText: true, handleChineseChars: true, lowercase: true }));
  tokenizer.setPreTokenizer(tk.bertPreTokenizer());
}

function buildFinal(vocabList) {
  const vocab = {};
  vocabList.forEach((tok, id) => { vocab[tok] = id; });
  const model = tk.WordPiece.init(vocab, { unkToken: '[UNK]', continuingSubwordPrefix: '##', maxInputCharsPerWord: 100 });
  const tokenizer = new tk.Tokenizer(model);
  configure(tokenizer);
  tokenizer.setPostProcessor(tk.templateProcessing(
    '[CLS] $A [SEP]',
    '[CLS] $A [SEP] $B:1 [SEP]:1',
    [['[CLS]', vocab['[CLS]']], ['[SEP]', vocab['[SEP]']]],
  ));
  tokenizer.setDecoder(tk.wordPieceDecoder('##', true));
  tokenizer.addSpecialTokens(SPECIALS);
  return tokenizer;
}

async function check(file, vocabList) {
  const tok = tk.Tokenizer.fromFile(file);
  assert.strictEqual(tok.getVocabSize(true), vocabList.length, 'vocab size after reload');
  SPECIALS.forEach((s, i) => assert.strictEqual(tok.tokenToId(s), i, `${s} id`));
  const probes = [
    'I absolutely loved this movie! The acting was superb.',
    'What a waste of time. The plot made no sense at all.',
  ];
  for (const text of probes) {
    const enc = await tok.encode(text);
    const ids = enc.getIds();
    const toks = enc.getTokens();
    assert.strictEqual(ids[0], 2, '[CLS] first');
    assert.strictEqual(ids[ids.length - 1], 3, '[SEP] last');
    assert.ok(!ids.includes(1), `unexpected [UNK] in ${JSON.stringify(toks)}`);
    assert.deepStrictEqual(enc.getAttentionMask(), ids.map(() => 1));
    assert.deepStrictEqual(enc.getTypeIds(), ids.map(() => 0));
    assert.deepStrictEqual(ids, toks.map((t) => vocabList.indexOf(t)), 'ids match vocabulary order');
    const decoded = await tok.decode(ids, true);
    assert.strictEqual(decoded, text.toLowerCase().replace(/([!.])/g, ' $1').replace(/ ([!.])/g, '$1'), 'decode round trip');
    console.log(`  ${JSON.stringify(text)} -> ${toks.join(' ')}`);
  }
  // pair template and the out-of-corpus fallback
  const pair = await tok.encode('good film', 'bad plot');
  assert.deepStrictEqual(pair.getTypeIds(), [0, 0, 0, 0, 1, 1, 1]);
  assert.deepStrictEqual(pair.getTokens(), ['[CLS]', 'good', 'film', '[SEP]', 'bad', 'plot', '[SEP]']);
  const odd = await tok.encode('Zyxwvut qjx 1234 — naïve café');
  assert.ok(odd.getIds().filter((i) => i === 1).length <= 2, `too many [UNK]: ${odd.getTokens().join(' ')}`);
  console.log(`  out-of-corpus example -> ${odd.getTokens().join(' ')}`);
}

async function main() {
  const opts = parseArgs(process.argv);
  const trainTsv = path.join(opts.work, 'train.tsv');
  const texts = readTsvTexts(trainTsv);
  const trainTxt = path.join(opts.work, 'tokenizer-train.txt');
  fs.writeFileSync(trainTxt, texts.join('\n') + '\n');
  // every printable ASCII character, alone and as a continuation piece ("a" + c)
  const chars = [];
  for (let c = 33; c < 127; c += 1) chars.push(String.fromCharCode(c));
  const alnum = chars.filter((c) => /[a-z0-9]/i.test(c));
  const alphabetTxt = path.join(opts.work, 'tokenizer-alphabet.txt');
  fs.writeFileSync(alphabetTxt, `${chars.join(' ')}\n${alnum.map((c) => `a${c}`).join(' ')}\n`);

  const t0 = Date.now();
  const trainer = new tk.Tokenizer(tk.WordPiece.empty());
  configure(trainer);
  trainer.train([trainTxt, alphabetTxt]);
  const learned = Object.entries(trainer.getVocab(false)).sort((a, b) => a[1] - b[1]).map(([t]) => t);
  // sanity: ids must be dense 0..n-1 (creation order)
  learned.forEach((t, i) => assert.strictEqual(trainer.tokenToId(t), i));
  const keep = Math.min(learned.length, opts.vocab - SPECIALS.length);
  const vocabList = SPECIALS.concat(learned.filter((t) => !SPECIALS.includes(t)).slice(0, keep));
  console.log(`tokenizer: default trainer learned ${learned.length} tokens in ${Date.now() - t0} ms; keeping ${vocabList.length} (incl. ${SPECIALS.length} specials)`);

  const tokenizer = buildFinal(vocabList);
  fs.mkdirSync(opts.out, { recursive: true });
  const outFile = path.join(opts.out, 'tokenizer.json');
  tokenizer.save(outFile, true);
  fs.writeFileSync(path.join(opts.out, 'vocab.txt'), vocabList.join('\n') + '\n');
  await check(outFile, vocabList);

  // corpus coverage statistics on the training split
  const reloaded = tk.Tokenizer.fromFile(outFile);
  let unk = 0;
  let n = 0;
  let maxLen = 0;
  for (let i = 0; i < texts.length; i += 2000) {
    const encs = await reloaded.encodeBatch(texts.slice(i, i + 2000));
    for (const e of encs) {
      const ids = e.getIds();
      n += ids.length;
      unk += ids.filter((x) => x === 1).length;
      maxLen = Math.max(maxLen, ids.length);
    }
  }
  console.log(`tokenizer: saved ${outFile} (vocab ${reloaded.getVocabSize(true)}); train split ${n} tokens, ${unk} [UNK], longest ${maxLen} tokens`);
}

main().catch((err) => { console.error(err); process.exit(1); });
