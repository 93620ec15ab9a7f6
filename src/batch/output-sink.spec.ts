import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BatchError, EXIT } from './exit-codes';
import { csvHeader, formatRow } from './output-rows';
import { fileSink } from './output-sink';

const LABELS = ['NEGATIVE', 'POSITIVE'];
const row = (line: number) => ({ line, label: 'POSITIVE', score: 0.75, scores: { NEGATIVE: 0.25, POSITIVE: 0.75 } });

describe('fileSink', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'batch-sink-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes a CSV header with one probability column per label, then rows', async () => {
    const file = join(dir, 'out.csv');
    const sink = await fileSink(file, 'csv', LABELS, { resume: false, overwrite: false });
    await sink.write(formatRow(row(4), 'csv', LABELS));
    await sink.close();
    expect(readFileSync(file, 'utf8')).toBe('line,label,score,score_NEGATIVE,score_POSITIVE\n4,POSITIVE,0.75,0.25,0.75\n');
  });

  it('refuses an existing output unless --resume or --overwrite is given', async () => {
    const file = join(dir, 'out.jsonl');
    writeFileSync(file, 'keep me\n');
    const error = await fileSink(file, 'jsonl', LABELS, { resume: false, overwrite: false }).catch((e: unknown) => e);
    expect((error as BatchError).exitCode).toBe(EXIT.USAGE);
    expect((error as BatchError).message).toContain('pass --resume');
    expect(readFileSync(file, 'utf8')).toBe('keep me\n');
  });

  it.each(['jsonl', 'csv'] as const)(
    'resumes %s output after its last complete row, cutting off a row torn by a crash',
    async (format) => {
      const file = join(dir, `out.${format}`);
      const start = (format === 'csv' ? csvHeader(LABELS) : '') + [3, 4, 9].map((l) => formatRow(row(l), format, LABELS)).join('');
      const torn = formatRow(row(10), format, LABELS).slice(0, 9);
      writeFileSync(file, start + torn);
      const sink = await fileSink(file, format, LABELS, { resume: true, overwrite: false });
      expect(sink.resumeAfterLine).toBe(9);
      await sink.write(formatRow(row(10), format, LABELS));
      await sink.close();
      expect(readFileSync(file, 'utf8')).toBe(start + formatRow(row(10), format, LABELS));
    },
  );

  it('finds the last row of an output larger than one read block', async () => {
    const file = join(dir, 'big.jsonl');
    const rows = Array.from({ length: 3000 }, (_, i) => formatRow(row(i + 1), 'jsonl', LABELS)).join('');
    expect(rows.length).toBeGreaterThan(64 * 1024 * 2);
    writeFileSync(file, rows);
    const sink = await fileSink(file, 'jsonl', LABELS, { resume: true, overwrite: false });
    expect(sink.resumeAfterLine).toBe(3000);
    await sink.close();
  });

  it('resumes an empty or header-only output from the start, writing the CSV header once', async () => {
    const file = join(dir, 'out.csv');
    writeFileSync(file, csvHeader(LABELS).slice(0, 12));
    const sink = await fileSink(file, 'csv', LABELS, { resume: true, overwrite: false });
    expect(sink.resumeAfterLine).toBe(0);
    await sink.close();
    expect(readFileSync(file, 'utf8')).toBe(csvHeader(LABELS));
  });

  it('refuses to resume a CSV written for other labels', async () => {
    const file = join(dir, 'out.csv');
    writeFileSync(file, csvHeader(['a', 'b', 'c']) + '1,a,0.5,0.5,0.25,0.25\n');
    const error = await fileSink(file, 'csv', LABELS, { resume: true, overwrite: false }).catch((e: unknown) => e);
    expect((error as BatchError).exitCode).toBe(EXIT.USAGE);
    expect((error as BatchError).message).toContain('CSV header is not');
  });
});
