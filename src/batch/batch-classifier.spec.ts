import { Classifier, runBatch } from './batch-classifier';
import type { InputRecord } from './input-records';
import type { OutputSink } from './output-sink';

const LABELS = ['NEGATIVE', 'POSITIVE'];

/** Classifies "neg..." texts NEGATIVE, others POSITIVE; a text containing "boom" makes the whole call fail. */
class FakeClassifier implements Classifier {
  active = 0;
  maxActive = 0;
  calls: string[][] = [];
  overloadedOnce = false;

  async classify(texts: string[]) {
    this.calls.push(texts);
    this.active += 1;
    this.maxActive = Math.max(this.maxActive, this.active);
    try {
      // Later calls finish first, so writing in input order is the runner's doing, not the fake's.
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, 20 - this.calls.length * 3)));
      if (this.overloadedOnce) {
        this.overloadedOnce = false;
        throw Object.assign(new Error('queue full'), { code: 'OVERLOADED' });
      }
      if (texts.some((t) => t.includes('boom'))) throw Object.assign(new Error('cannot run'), { code: 'INFERENCE_FAILED' });
      return texts.map((t) => {
        const negative = t.startsWith('neg') ? 0.9 : 0.2;
        const label = negative > 0.5 ? 'NEGATIVE' : 'POSITIVE';
        return { label, score: Math.max(negative, 1 - negative), scores: { NEGATIVE: negative, POSITIVE: 1 - negative } };
      });
    } finally {
      this.active -= 1;
    }
  }
}

function memorySink(resumeAfterLine = 0): OutputSink & { text: string } {
  return {
    resumeAfterLine,
    text: '',
    async write(text) {
      this.text += text;
    },
    async flush() {},
    async close() {},
  };
}

async function* records(list: InputRecord[]): AsyncGenerator<InputRecord> {
  for (const record of list) yield record;
}

function run(list: InputRecord[], classifier: Classifier, sink: OutputSink, extra: Partial<Parameters<typeof runBatch>[0]> = {}) {
  const bad: Array<{ line: number; problem: string }> = [];
  const result = runBatch({
    records: records(list),
    classifier,
    sink,
    format: 'jsonl',
    labels: LABELS,
    chunkSize: 3,
    inFlight: 2,
    onBad: (record) => bad.push(record),
    onProgress: () => undefined,
    shouldStop: () => false,
    ...extra,
  });
  return { result, bad };
}

const lines = (text: string) => text.trim().split('\n').map((l) => JSON.parse(l) as { line: number; label: string });

describe('runBatch', () => {
  const texts: InputRecord[] = Array.from({ length: 20 }, (_, i) => ({ line: i + 1, text: i % 3 === 0 ? `neg ${i}` : `pos ${i}` }));

  it('writes one row per text in input order while several chunks are in flight, never more than inFlight', async () => {
    const classifier = new FakeClassifier();
    const sink = memorySink();
    const { result } = run(texts, classifier, sink);
    expect(await result).toEqual({ rows: 20, bad: 0, skipped: 0, stopped: false });
    const rows = lines(sink.text);
    expect(rows.map((r) => r.line)).toEqual(texts.map((t) => t.line));
    expect(rows.map((r) => r.label)).toEqual(texts.map((t) => ('text' in t && t.text.startsWith('neg') ? 'NEGATIVE' : 'POSITIVE')));
    // Each text is its own engine call; at most inFlight chunks (2 x 3 texts) are in flight, and more than one.
    expect(classifier.calls.every((call) => call.length === 1)).toBe(true);
    expect(classifier.maxActive).toBeLessThanOrEqual(6);
    expect(classifier.maxActive).toBeGreaterThan(3);
  });

  it("reports bad records in order without writing them, and a text the engine fails on fails alone", async () => {
    const list: InputRecord[] = [
      { line: 1, text: 'pos a' },
      { line: 2, problem: 'empty text' },
      { line: 3, text: 'pos boom' },
      { line: 4, text: 'neg b' },
      { line: 5, text: 'pos c' },
    ];
    const sink = memorySink();
    const { result, bad } = run(list, new FakeClassifier(), sink);
    expect(await result).toMatchObject({ rows: 3, bad: 2 });
    expect(lines(sink.text).map((r) => r.line)).toEqual([1, 4, 5]);
    expect(bad).toEqual([
      { line: 2, problem: 'empty text' },
      { line: 3, problem: 'the engine failed on it (INFERENCE_FAILED: cannot run)' },
    ]);
  });

  it('retries a chunk the engine refused as OVERLOADED instead of dropping it', async () => {
    const classifier = new FakeClassifier();
    classifier.overloadedOnce = true;
    const sink = memorySink();
    const { result, bad } = run(texts.slice(0, 3), classifier, sink);
    expect(await result).toMatchObject({ rows: 3, bad: 0 });
    expect(bad).toEqual([]);
  });

  it('skips the records the output already covers when resuming', async () => {
    const classifier = new FakeClassifier();
    const sink = memorySink(7);
    const { result } = run(texts, classifier, sink);
    expect(await result).toMatchObject({ rows: 13, skipped: 7 });
    expect(lines(sink.text).map((r) => r.line)).toEqual(texts.slice(7).map((t) => t.line));
    expect(classifier.calls.flat()).not.toContain('neg 0');
  });

  it('stops reading when asked and still writes every record already read', async () => {
    const sink = memorySink();
    let read = 0;
    const counting = (async function* () {
      for (const record of texts) {
        read += 1;
        yield record;
      }
    })();
    const { result } = run([], new FakeClassifier(), sink, { records: counting, shouldStop: () => read >= 8 });
    expect(await result).toMatchObject({ rows: 8, stopped: true });
    expect(lines(sink.text).map((r) => r.line)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });
});
