/**
 * Drift capture in the native engine (option captureFeatures): every Classification carries the features drift
 * detection needs, taken from the same forward pass.
 * - demo-sentiment: the embedding output is found by name (sentence_embedding); captured embeddings equal the
 *   [CLS] embeddings PyTorch computed (fixture) and the token counts equal the fixture's input ids; the same
 *   text gives the same features alone, in a shared batch and from the cache; capture off returns no features.
 * - tiny-distilbert-sst2 (bert-base-uncased tokenizer, logits only): embedding unavailable with its reason;
 *   token counts, truncation (also at an exact word boundary) and unknown tokens agree with the Tokenizer API.
 */
import { Engine, Tokenizer } from '../../lib';
import type { Classification } from '../../lib';
import { demoEmbeddingDim, demoFixtureFull, demoModelDir, DemoExample } from './demo-fixture';
import { realdata } from './realdata';

const EMBEDDING_TOLERANCE = 1e-4;

function featuresOf(c: Classification) {
  if (!c.features) throw new Error(`no features on ${JSON.stringify(c)}`);
  return c.features;
}

describe('drift capture on the demo model', () => {
  let engine: Engine;
  let withEmbedding: DemoExample[];

  beforeAll(async () => {
    engine = await Engine.load(demoModelDir(), { captureFeatures: true });
    withEmbedding = demoFixtureFull().sentences.filter((e) => e.sentenceEmbedding && e.inputIds);
    if (withEmbedding.length === 0) throw new Error('the demo fixture has no sentences with sentence_embedding and input_ids');
  });
  afterAll(() => engine.close());

  test('info() names the embedding output it found', () => {
    expect(engine.info().drift).toEqual({
      captureFeatures: true,
      embeddingOutput: 'sentence_embedding',
      embeddingDim: demoEmbeddingDim(),
      embeddingSource: 'pooled',
    });
  });

  test("captured embeddings equal PyTorch's [CLS] embeddings; token counts equal its input ids", async () => {
    const results = await engine.classify(withEmbedding.map((e) => e.text));
    results.forEach((result, i) => {
      const f = featuresOf(result);
      const expected = withEmbedding[i].sentenceEmbedding!;
      expect(Object.prototype.toString.call(f.embedding)).toBe("[object Float32Array]");
      expect(f.embedding!.length).toBe(expected.length);
      let worst = 0;
      for (let d = 0; d < expected.length; d++) worst = Math.max(worst, Math.abs(f.embedding![d] - expected[d]));
      if (worst > EMBEDDING_TOLERANCE) throw new Error(`sentence ${i}: embedding differs by ${worst}`);
      expect(f.tokenCount).toBe(withEmbedding[i].inputIds!.length);
      expect(f.specialTokens).toBe(2);
      expect(f.truncated).toBe(false);
    });
  });

  test('a text has the same features alone, batched with others, and from the cache', async () => {
    const text = withEmbedding[0].text;
    const [alone] = await engine.classify([text + ' alone']);
    const together = await Promise.all([
      engine.classify(['short one']),
      engine.classify([text + ' alone', 'another sentence of some length here']),
    ]);
    const [cached] = await engine.classify([text + ' alone']);
    for (const other of [together[1][0], cached]) {
      expect(featuresOf(other).tokenCount).toBe(featuresOf(alone).tokenCount);
      const a = featuresOf(alone).embedding!;
      const b = featuresOf(other).embedding!;
      expect(b.length).toBe(a.length);
      for (let d = 0; d < a.length; d++) expect(Math.abs(a[d] - b[d])).toBeLessThan(EMBEDDING_TOLERANCE);
    }
    expect(engine.stats().cache.hits).toBeGreaterThan(0);
  });

  test('each row owns its embedding view: rows of one call differ and do not overlap', async () => {
    const results = await engine.classify(['a wonderful film', 'a dreadful film']);
    const [a, b] = results.map((r) => featuresOf(r).embedding!);
    expect(a.byteOffset).not.toBe(b.byteOffset);
    expect(Array.from(a)).not.toEqual(Array.from(b));
  });

  test('capture off: no features, and info() says so', async () => {
    const plain = await Engine.load(demoModelDir());
    try {
      const [result] = await plain.classify(['a wonderful film']);
      expect(result.features).toBeUndefined();
      expect(plain.info().drift.captureFeatures).toBe(false);
    } finally {
      await plain.close();
    }
  });

  test('an embedding output named by option but absent: unavailable names it and the outputs', async () => {
    const named = await Engine.load(demoModelDir(), { captureFeatures: true, embeddingOutput: 'pooler_output' });
    try {
      expect(named.info().drift.embeddingOutput).toBeUndefined();
      expect(named.info().drift.unavailable).toMatch(/no output "pooler_output".*logits, sentence_embedding/);
      const [result] = await named.classify(['fine']);
      expect(featuresOf(result).embedding).toBeUndefined();
    } finally {
      await named.close();
    }
  });

  test('a non-boolean captureFeatures is a TypeError naming the option', async () => {
    await expect(async () => Engine.load(demoModelDir(), { captureFeatures: 'yes' as unknown as boolean })).rejects.toThrow(
      /options\.captureFeatures/,
    );
  });
});

describe('drift capture on a logits-only model (tiny-distilbert-sst2)', () => {
  const MAX_LENGTH = 8; // 6 word tokens + [CLS] + [SEP]
  let engine: Engine;
  let tokenizer: Tokenizer;
  let unknownId: number;

  beforeAll(async () => {
    const dir = realdata('models', 'tiny-distilbert-sst2');
    engine = await Engine.load(dir, { captureFeatures: true, maxLength: MAX_LENGTH });
    tokenizer = await Tokenizer.fromFile(realdata('models', 'tiny-distilbert-sst2', 'tokenizer.json'));
    const probe = await tokenizer.encode('🤖', null, { addSpecialTokens: false });
    unknownId = probe.ids[0];
    expect(probe.tokens[0]).toBe('[UNK]');
  });
  afterAll(() => engine.close());

  test('embedding unavailable, with the reason and the way out', () => {
    const drift = engine.info().drift;
    expect(drift.embeddingOutput).toBeUndefined();
    expect(drift.unavailable).toMatch(/outputs only logits/);
    expect(drift.unavailable).toMatch(/tools\/add-embedding-output/);
  });

  test('token counts, truncation and unknown tokens agree with the tokenizer', async () => {
    const texts = [
      'the cat sat', // short
      'the the the the the the', // exactly fills the 6 word slots: not truncated
      'the the the the the the the', // one word too many, cut at a word boundary: truncated
      'the the the the the the the the the the the the', // many too many: truncated
      '🤖 and 🤖 ok', // two unknown tokens
      '', // empty text
    ];
    const results = await engine.classify(texts);
    for (let i = 0; i < texts.length; i++) {
      const full = await tokenizer.encode(texts[i], null, { truncation: false });
      const f = featuresOf(results[i]);
      expect(f.tokenCount).toBe(Math.min(full.ids.length, MAX_LENGTH));
      expect(f.truncated).toBe(full.ids.length > MAX_LENGTH);
      const kept = Array.from(full.ids).slice(0, f.tokenCount - 1);
      expect(f.unknownTokens).toBe(kept.filter((id) => id === unknownId).length);
      expect(f.specialTokens).toBe(2);
      expect(f.embedding).toBeUndefined();
    }
    expect(featuresOf(results[4]).unknownTokens).toBe(2);
    expect(featuresOf(results[2]).truncated).toBe(true);
    expect(featuresOf(results[1]).truncated).toBe(false);
  });
});
