import type { OutputFormat } from './batch-options';
import type { InputRecord } from './input-records';
import { formatRow } from './output-rows';
import type { OutputSink } from './output-sink';

/** The part of the native Engine this command uses. */
export interface Classifier {
  classify(texts: string[]): Promise<Array<{ label: string; score: number; scores: Record<string, number> }>>;
}

export interface BatchRunOptions {
  records: AsyncIterable<InputRecord>;
  classifier: Classifier;
  sink: OutputSink;
  format: OutputFormat;
  labels: readonly string[];
  chunkSize: number;
  inFlight: number;
  /** Called for every bad record, in input order. */
  onBad(record: { line: number; problem: string }): void;
  /** Called after every chunk written (the caller adds the bytes read and draws progress). */
  onProgress(counts: { rows: number; bad: number }): void;
  /** Polled between records: true stops reading; what was read is still classified and written. */
  shouldStop(): boolean;
}

export interface BatchRunResult {
  rows: number;
  bad: number;
  /** Records at or before the sink's resume point, passed over unread by the engine. */
  skipped: number;
  stopped: boolean;
}

/** While a text is refused because the engine's queue is full (only with --in-flight x --chunk-size above it). */
const OVERLOAD_RETRY_MS = 50;

type TextRecord = { line: number; text: string };
type Outcome = { line: number; problem: string } | { line: number; result: Awaited<ReturnType<Classifier['classify']>>[number] };

async function classifyOne(classifier: Classifier, record: TextRecord): Promise<Outcome> {
  for (;;) {
    try {
      const [result] = await classifier.classify([record.text]);
      return { line: record.line, result };
    } catch (error) {
      const { code, message } = error as { code?: string; message: string };
      if (code === 'OVERLOADED') {
        await new Promise((resolve) => setTimeout(resolve, OVERLOAD_RETRY_MS));
        continue;
      }
      return { line: record.line, problem: `the engine failed on it (${code ?? 'ERROR'}: ${message})` };
    }
  }
}

/**
 * A chunk's texts go to the engine as single-text calls, all at once: its batcher then groups texts of close
 * lengths from every call in flight (measured faster than one multi-text call per chunk, whose texts are batched
 * in their input order), and a text the engine fails on fails alone.
 */
function classifyChunk(classifier: Classifier, chunk: TextRecord[]): Promise<Outcome[]> {
  return Promise.all(chunk.map((record) => classifyOne(classifier, record)));
}

/**
 * Classifies the records in chunks, `inFlight` chunks at a time so the engine's batcher always has work queued
 * (its throughput is then the engine's own), and writes their rows strictly in input order: a chunk is written
 * once every chunk before it is. Memory holds at most inFlight x chunkSize records. Bad records are reported,
 * never written, and never stop the run. Records up to the sink's resume point are skipped.
 */
export async function runBatch(options: BatchRunOptions): Promise<BatchRunResult> {
  const { classifier, sink, format, labels, chunkSize, inFlight } = options;
  const pending: Array<Promise<Outcome[]>> = [];
  let chunk: TextRecord[] = [];
  let rows = 0;
  let bad = 0;
  let skipped = 0;
  let stopped = false;

  const writeOldest = async () => {
    const outcomes = await pending.shift()!;
    let text = '';
    for (const outcome of outcomes) {
      if ('problem' in outcome) {
        bad += 1;
        options.onBad(outcome);
      } else {
        rows += 1;
        text += formatRow({ line: outcome.line, ...outcome.result }, format, labels);
      }
    }
    if (text) await sink.write(text);
    options.onProgress({ rows, bad });
  };
  const enqueue = async (outcomes: Promise<Outcome[]>) => {
    pending.push(outcomes);
    while (pending.length >= inFlight) await writeOldest();
  };
  const submit = async () => {
    if (chunk.length === 0) return;
    const texts = chunk;
    chunk = [];
    await enqueue(classifyChunk(classifier, texts));
  };

  for await (const record of options.records) {
    if (record.line <= sink.resumeAfterLine) {
      skipped += 1;
      continue;
    }
    if ('problem' in record) {
      // Reported in order with the rows: queued behind the chunks already submitted.
      await submit();
      await enqueue(Promise.resolve([record]));
    } else {
      chunk.push(record);
      if (chunk.length >= chunkSize) await submit();
    }
    if (options.shouldStop()) {
      stopped = true;
      break;
    }
  }
  await submit();
  while (pending.length > 0) await writeOldest();
  return { rows, bad, skipped, stopped };
}
