import { PassThrough } from 'node:stream';
import { ProgressReporter } from './progress-reporter';

function capture() {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (chunk: Buffer) => (text += chunk.toString()));
  return { stream, text: () => text };
}

describe('ProgressReporter', () => {
  it('prints a plain line per interval with rows, rate, share of the input and ETA', () => {
    let now = 0;
    const out = capture();
    const progress = new ProgressReporter('lines', out.stream, 10_000, 1000, () => now);
    now = 1000;
    progress.update({ rows: 100, bad: 0, bytes: 100 });
    now = 5000;
    progress.update({ rows: 400, bad: 0, bytes: 300 });
    expect(out.text()).toBe('');
    now = 11_000;
    progress.update({ rows: 1100, bad: 2, bytes: 600 });
    // 1100 rows in 11 s; 500 bytes in the 10 s since the first row: 400 bytes left take 8 s.
    expect(out.text()).toBe('progress: 1100 rows (2 bad), 100 rows/s, 60.0% of input, ETA 0:08\n');
  });

  it('draws one bar line in place on a terminal and keeps notes above it', () => {
    let now = 0;
    const out = capture();
    const progress = new ProgressReporter('bar', out.stream, 10_000, 1000, () => now);
    now = 1000;
    progress.update({ rows: 10, bad: 0, bytes: 500 });
    progress.note('bad record at line 7: empty text');
    progress.finish();
    const text = out.text();
    expect(text.startsWith('\r\x1b[2K[############------------] 10 rows, 10 rows/s, 50.0% of input')).toBe(true);
    expect(text).toContain('\r\x1b[2Kbad record at line 7: empty text\n\r\x1b[2K[####');
    expect(text.endsWith('\n')).toBe(true);
  });

  it('shows no share or ETA when the input size is unknown (stdin)', () => {
    let now = 0;
    const out = capture();
    const progress = new ProgressReporter('lines', out.stream, 1000, undefined, () => now);
    now = 2000;
    progress.update({ rows: 50, bad: 0, bytes: 0 });
    expect(out.text()).toBe('progress: 50 rows, 25 rows/s\n');
  });
});
