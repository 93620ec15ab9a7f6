import { Readable } from 'node:stream';
import { BatchError, EXIT } from './exit-codes';
import { InputRecord, readRecords } from './input-records';

async function collect(text: string, format: 'csv' | 'jsonl' | 'text', key = 'text'): Promise<InputRecord[]> {
  const records: InputRecord[] = [];
  // Small chunks, so records and quoted fields straddle chunk boundaries as they do in a large file.
  const chunks = text.match(/[\s\S]{1,7}/g) ?? [];
  for await (const record of readRecords(Readable.from(chunks), format, key)) records.push(record);
  return records;
}

describe('readRecords', () => {
  it('reads a CSV column by its header name, with quoted commas, quotes and newlines, numbering records by line', async () => {
    const csv = 'id,review,stars\n1,"good, really",5\n2,"he said ""meh""",2\n3,"two\nlines",4\n';
    expect(await collect(csv, 'csv', 'review')).toEqual([
      { line: 2, text: 'good, really' },
      { line: 3, text: 'he said "meh"' },
      { line: 5, text: 'two\nlines' },
    ]);
  });

  it('fails the whole input with a usage error naming the columns when the CSV header lacks the column', async () => {
    const error = await collect('id,body\n1,x\n', 'csv', 'text').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BatchError);
    expect((error as BatchError).exitCode).toBe(EXIT.USAGE);
    expect((error as BatchError).message).toContain('no column "text" (columns: "id", "body")');
  });

  it('reports a CSV row of the wrong width and an empty text as bad records and reads on', async () => {
    const records = await collect('text,n\nfine,1\nextra,2,3\n ,4\nlast,5\n', 'csv');
    expect(records).toEqual([
      { line: 2, text: 'fine' },
      { line: 3, problem: expect.stringContaining('unreadable CSV row') },
      { line: 4, problem: 'empty text' },
      { line: 5, text: 'last' },
    ]);
  });

  it('reads a JSONL field by name and reports invalid JSON, a missing field and a non-string, with their lines', async () => {
    const jsonl = '{"text":"a"}\n{oops\n\n{"body":"b"}\n{"text":3}\n["x"]\n{"text":"c","other":1}\n';
    expect(await collect(jsonl, 'jsonl')).toEqual([
      { line: 1, text: 'a' },
      { line: 2, problem: expect.stringContaining('invalid JSON') },
      { line: 4, problem: 'no "text" field' },
      { line: 5, problem: 'expected a string in "text" but received number' },
      { line: 6, problem: 'expected a JSON object' },
      { line: 7, text: 'c' },
    ]);
  });

  it('reads plain text as one text per line, skipping blank lines, CRLF endings and a byte-order mark', async () => {
    expect(await collect('\uFEFFfirst\r\n\r\nsecond\nthird', 'text')).toEqual([
      { line: 1, text: 'first' },
      { line: 3, text: 'second' },
      { line: 4, text: 'third' },
    ]);
  });
});
