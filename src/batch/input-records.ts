import { parse as parseCsv } from 'csv-parse';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { BatchError, EXIT } from './exit-codes';
import type { InputFormat } from './batch-options';

/** One input record: its text, or why it cannot be classified. `line` is 1-based, in the input file. */
export type InputRecord = { line: number; text: string } | { line: number; problem: string };

/**
 * The records of `stream`, one at a time, so memory stays bounded whatever the input size (the stream's own
 * high-water mark and one record). Blank lines of text and JSONL input are not records. A record that cannot be
 * read (bad JSON, missing field, empty text, a CSV row of the wrong width) comes out with its `problem`, and
 * reading goes on; only an input that cannot be read at all (a CSV header without the column) throws.
 */
export function readRecords(stream: Readable, format: InputFormat, textKey: string): AsyncIterable<InputRecord> {
  if (format === 'csv') return csvRecords(stream, textKey);
  return lineRecords(stream, format === 'jsonl' ? (line) => jsonlText(line, textKey) : (line) => ({ text: line }));
}

function checkText(text: string): { text: string } | { problem: string } {
  return text.trim().length > 0 ? { text } : { problem: 'empty text' };
}

function jsonlText(line: string, field: string): { text: string } | { problem: string } {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    return { problem: `invalid JSON (${(error as Error).message})` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { problem: 'expected a JSON object' };
  const text = (value as Record<string, unknown>)[field];
  if (text === undefined) return { problem: `no "${field}" field` };
  if (typeof text !== 'string') return { problem: `expected a string in "${field}" but received ${typeof text}` };
  return checkText(text);
}

async function* lineRecords(
  stream: Readable,
  toText: (line: string) => { text: string } | { problem: string },
): AsyncGenerator<InputRecord> {
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  let line = 0;
  for await (const raw of lines) {
    line += 1;
    // A UTF-8 byte-order mark belongs to the file, not to its first text.
    const content = line === 1 ? raw.replace(/^\uFEFF/, '') : raw;
    if (content.trim().length === 0) continue;
    const result = toText(content);
    yield 'text' in result ? { line, ...checkText(result.text) } : { line, problem: result.problem };
  }
}

async function* csvRecords(stream: Readable, column: string): AsyncGenerator<InputRecord> {
  // Rows csv-parse rejects (wrong number of fields) are reported through on_skip; they are queued here and
  // yielded between the good rows by line number, so problems come out in input order.
  const skipped: InputRecord[] = [];
  const parser = parseCsv({
    bom: true,
    info: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    on_skip: (error) => {
      skipped.push({ line: Number(error?.lines ?? 0), problem: `unreadable CSV row (${error?.message ?? 'unknown error'})` });
      return undefined;
    },
    columns: (header: string[]) => {
      if (!header.includes(column)) {
        throw new BatchError(
          EXIT.USAGE,
          `The CSV header has no column "${column}" (columns: ${header.map((h) => JSON.stringify(h)).join(', ')}); choose one with --column`,
        );
      }
      return header;
    },
  });
  stream.on('error', (error) => parser.destroy(error));
  // An input destroyed on purpose (the command was interrupted) ends the records read so far.
  stream.on('close', () => {
    if (!parser.writableEnded) parser.end();
  });
  stream.pipe(parser);
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: Record<string, string>; info: { lines: number } }>) {
      // The parser reports a rejected row as soon as it meets it, possibly before the good rows before it were
      // taken from its buffer: yield each where it belongs by line.
      while (skipped.length > 0 && skipped[0].line < info.lines) yield skipped.shift()!;
      yield { line: info.lines, ...checkText(record[column] ?? '') };
    }
  } catch (error) {
    const cause = (error as { cause?: unknown }).cause;
    if (error instanceof BatchError) throw error;
    if (cause instanceof BatchError) throw cause;
    throw error;
  }
  while (skipped.length > 0) yield skipped.shift()!;
}
