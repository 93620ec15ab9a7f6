import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Engine } from '../../lib';
import { compileServer } from '../e2e/support/child-server';

/**
 * The offline batch command as users run it: the compiled bin/classify-batch.js in a child process, on real
 * SST-2 sentences (../shared/realdata), checked against the engine's own answers for the same texts.
 */
const ROOT = resolve(__dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'classify-batch.js');
const SST2 = resolve(ROOT, '..', 'shared', 'realdata', 'corpora', 'sst2-dev.tsv');
const DEMO = join(ROOT, 'models', 'demo-sentiment');

interface Run {
  child: ChildProcess;
  stderr(): string;
  stdout(): string;
  done: Promise<number | null>;
}

function start(args: string[], stdin?: string): Run {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: { PATH: process.env.PATH ?? '' } });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  if (stdin !== undefined) child.stdin!.end(stdin);
  const done = new Promise<number | null>((res) => child.on('close', (code) => res(code)));
  return { child, stdout: () => stdout, stderr: () => stderr, done };
}

async function until(check: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const jsonRows = (text: string) =>
  text
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { line: number; label: string; score: number; scores: Record<string, number> });

describe('classify-batch (bin)', () => {
  let dir: string;
  let sentences: string[];

  beforeAll(async () => {
    if (!existsSync(SST2)) throw new Error(`${SST2} is missing: this suite needs ../shared/realdata beside the project`);
    sentences = readFileSync(SST2, 'utf8')
      .split('\n')
      .slice(1)
      .map((l) => l.split('\t')[0].trim())
      .filter(Boolean);
    await compileServer();
  });
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'classify-batch-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('classifies a CSV column by name into CSV rows in input order, as the engine does', async () => {
    const input = join(dir, 'reviews.csv');
    const quote = (s: string) => `"${s.replace(/"/g, '""')}"`;
    writeFileSync(input, 'id,sentence\n' + sentences.map((s, i) => `${i},${quote(s)}`).join('\n') + '\n');
    const output = join(dir, 'out.csv');
    const run = start([input, '--column', 'sentence', '--output', output, '--progress', 'none']);
    expect(await run.done).toBe(0);
    const [header, ...rows] = readFileSync(output, 'utf8').trim().split('\n');
    expect(header).toBe('line,label,score,score_NEGATIVE,score_POSITIVE');
    expect(rows).toHaveLength(sentences.length);

    const engine = await Engine.load(DEMO);
    const expected = await engine.classify(sentences);
    await engine.close();
    rows.forEach((row, i) => {
      const [line, label, score, negative, positive] = row.split(',');
      expect(Number(line)).toBe(i + 2);
      expect(label).toBe(expected[i].label);
      expect(Number(score)).toBeCloseTo(expected[i].score, 5);
      expect(Number(negative)).toBeCloseTo(expected[i].scores.NEGATIVE, 5);
      expect(Number(positive)).toBeCloseTo(expected[i].scores.POSITIVE, 5);
    });
    expect(run.stderr()).toContain(`done: ${sentences.length} rows written`);
  });

  it.each(['SIGINT', 'SIGKILL'] as const)(
    'resumes after %s without duplicating or losing a row',
    async (signal) => {
      const input = join(dir, 'texts.txt');
      const texts = Array.from({ length: 6 }, () => sentences).flat();
      writeFileSync(input, texts.join('\n') + '\n');
      const output = join(dir, 'out.jsonl');
      // Small chunks, one at a time: slow enough to be interrupted part-way.
      const slow = ['--chunk-size', '4', '--in-flight', '1', '--cache-size', '0', '--progress', 'lines', '--progress-interval', '1'];
      const first = start([input, '--output', output, ...slow]);
      await until(() => existsSync(output) && readFileSync(output, 'utf8').split('\n').length > 200, 'rows to be written');
      first.child.kill(signal);
      const code = await first.done;
      if (signal === 'SIGINT') {
        expect(code).toBe(130);
        expect(first.stderr()).toContain('stopped by SIGINT');
      }
      const partial = readFileSync(output, 'utf8');
      const written = partial.split('\n').length - 1;
      expect(written).toBeLessThan(texts.length);

      const second = start([input, '--output', output, '--resume', '--progress', 'none']);
      expect(await second.done).toBe(0);
      expect(second.stderr()).toMatch(/resuming .*: its rows cover the input up to line \d+/);
      const final = readFileSync(output, 'utf8');
      // Every complete row of the first run is kept byte for byte; a row torn by SIGKILL is the only change.
      const keptLength = partial.lastIndexOf('\n') + 1;
      expect(final.slice(0, keptLength)).toBe(partial.slice(0, keptLength));
      const rows = jsonRows(final);
      expect(rows.map((r) => r.line)).toEqual(texts.map((_, i) => i + 1));
    },
  );

  it('reads JSONL from stdin, writes JSONL to stdout, and reports bad records by line with exit code 5', async () => {
    const jsonl = [
      JSON.stringify({ text: sentences[0] }),
      '{"text": ',
      JSON.stringify({ text: sentences[1] }),
      JSON.stringify({ body: 'no text field' }),
      JSON.stringify({ text: sentences[2] }),
    ].join('\n');
    const run = start(['--format', 'jsonl', '--progress', 'none'], jsonl);
    expect(await run.done).toBe(5);
    expect(jsonRows(run.stdout()).map((r) => r.line)).toEqual([1, 3, 5]);
    expect(run.stderr()).toContain('bad record at line 2: invalid JSON');
    expect(run.stderr()).toContain('bad record at line 4: no "text" field');
    expect(run.stderr()).toContain('2 bad records (lines 2, 4)');
  });

  it.each([
    ['an unknown option', ['--nope'], 2, /Unknown option '--nope'/],
    ['a CSV without the column', ['CSV', '--column', 'missing'], 2, /no column "missing"/],
    ['an input that does not exist', ['/nonexistent/input.txt'], 3, /Cannot read the input \/nonexistent\/input.txt/],
    ['a model directory that does not exist', ['TEXT', '--model', '/nonexistent/model'], 4, /Cannot load the model \/nonexistent\/model \(MODEL_NOT_FOUND\)/],
  ])('exits with its documented code for %s', async (_what, args, code, message) => {
    writeFileSync(join(dir, 'in.csv'), 'text\nfine\n');
    writeFileSync(join(dir, 'in.txt'), 'fine\n');
    const resolved = args.map((a) => (a === 'CSV' ? join(dir, 'in.csv') : a === 'TEXT' ? join(dir, 'in.txt') : a));
    const run = start([...resolved, '--progress', 'none']);
    expect(await run.done).toBe(code);
    expect(run.stderr()).toMatch(message);
  });
});
