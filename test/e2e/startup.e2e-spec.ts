import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createApp } from '../../src/main';
import { InvalidConfigError } from '../../src/config/env.schema';
import { EngineService } from '../../src/engine/engine.service';
import { ModelLoadError } from '../../src/engine/model-load.error';
import { compileServer, logMessages } from './support/child-server';
import { startServer } from './support/server';

const ROOT = resolve(__dirname, '..', '..');
const MISSING_DIR = resolve(ROOT, 'models', 'no-such-model');

describe('startup, settings and shutdown (real engine)', () => {
  it('refuses to start with a bad environment, listing every bad variable', async () => {
    const failure = createApp({ env: { PORT: 'eighty', MAX_TEXT_CHARS: '0', BODY_LIMIT_BYTES: '1e6' } });
    await expect(failure).rejects.toBeInstanceOf(InvalidConfigError);
    await expect(failure).rejects.toMatchObject({
      problems: [
        expect.stringMatching(/^PORT: .*"eighty"/),
        expect.stringMatching(/^MAX_TEXT_CHARS: .*"0"/),
        expect.stringMatching(/^BODY_LIMIT_BYTES: .*"1e6"/),
      ],
    });
  });

  it('refuses to start when the model cannot be loaded, with the engine code and the path', async () => {
    const failure = createApp({ env: { MODEL_DIR: MISSING_DIR, LOG_LEVEL: 'silent' } });
    await expect(failure).rejects.toBeInstanceOf(ModelLoadError);
    await expect(failure).rejects.toMatchObject({ code: 'MODEL_NOT_FOUND', message: expect.stringContaining(MISSING_DIR) });
  });

  it('honours MAX_BATCH_TEXTS, MAX_TEXT_CHARS and BODY_LIMIT_BYTES', async () => {
    const server = await startServer({ MAX_BATCH_TEXTS: '2', MAX_TEXT_CHARS: '20', BODY_LIMIT_BYTES: '2048' });
    try {
      const tooMany = await server.request('POST', '/batch-sentiment', { json: { texts: ['a', 'b', 'c'] } });
      expect(tooMany.status).toBe(400);
      expect(tooMany.body.error.message).toBe('texts must contain at most 2 texts but received 3');
      const tooLong = await server.request('POST', '/sentiment', { json: { text: 'x'.repeat(21) } });
      expect(tooLong.status).toBe(400);
      expect(tooLong.body.error.message).toBe('text is 21 characters long; the limit is 20');
      const tooBig = await server.request('POST', '/sentiment', { json: { text: 'x'.repeat(3000) } });
      expect(tooBig.status).toBe(413);
      expect(tooBig.body.error).toEqual({ code: 'PAYLOAD_TOO_LARGE', message: 'Request body is larger than the limit of 2048 bytes' });
      const ok = await server.request('POST', '/batch-sentiment', { json: { texts: ['good movie', 'x'.repeat(20)] } });
      expect(ok.status).toBe(200);
    } finally {
      await server.close();
    }
  });

  it('closes the engine when the application closes', async () => {
    const server = await startServer();
    const engine = server.app.get(EngineService);
    expect(engine.state).toBe('ready');
    await server.close();
    expect(engine.state).toBe('closed');
    await expect(engine.classify(['x'])).rejects.toMatchObject({ code: 'NOT_READY' });
  });

  describe('the compiled server (npm run build; node dist/main.js)', () => {
    beforeAll(compileServer);

    function run(env: Record<string, string>): Promise<{ code: number | null; signal: NodeJS.Signals | null; output: string }> & {
      child: ReturnType<typeof spawn>;
      waitFor(pattern: RegExp): Promise<string>;
    } {
      const dataDir = mkdtempSync(join(tmpdir(), 'classifier-startup-'));
      const child = spawn(process.execPath, [resolve(ROOT, 'dist/main.js')], {
        cwd: ROOT,
        env: { PATH: process.env.PATH ?? '', DATA_DIR: dataDir, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      const waiters: Array<{ pattern: RegExp; resolve: (text: string) => void }> = [];
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        for (const waiter of [...waiters]) {
          const match = waiter.pattern.exec(output);
          if (match) {
            waiters.splice(waiters.indexOf(waiter), 1);
            waiter.resolve(match[0]);
          }
        }
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; output: string }>((resolveDone) =>
        child.on('exit', (code, signal) => {
          rmSync(dataDir, { recursive: true, force: true });
          resolveDone({ code, signal, output: logMessages(output) });
        }),
      );
      return Object.assign(done, {
        child,
        waitFor: (pattern: RegExp) =>
          new Promise<string>((resolveWait, reject) => {
            waiters.push({ pattern, resolve: resolveWait });
            onData(Buffer.alloc(0));
            done.then(() => reject(new Error(`exited before printing ${pattern}:\n${output}`)));
          }),
      });
    }

    it('exits 1 and lists every bad variable', async () => {
      const { code, output } = await run({ PORT: 'x', MAX_BATCH_TEXTS: '-3' });
      expect(code).toBe(1);
      expect(output).toContain('Invalid configuration');
      expect(output).toContain('PORT: expected an integer between 0 and 65535 but received "x"');
      expect(output).toContain('MAX_BATCH_TEXTS: expected an integer between 1 and 100000 but received "-3"');
    });

    it('exits 1 with a clear message when the model cannot be loaded', async () => {
      const { code, output } = await run({ MODEL_DIR: MISSING_DIR, PORT: '0' });
      expect(code).toBe(1);
      expect(output).toContain(`Could not load the model at ${MISSING_DIR}: [MODEL_NOT_FOUND]`);
      expect(output).not.toMatch(/\n\s+at /);
    });

    it('serves the demo model by default and shuts down gracefully on SIGTERM', async () => {
      const server = run({ PORT: '0', HOST: '127.0.0.1' });
      const line = await server.waitFor(/Listening on http:\/\/127\.0\.0\.1:(\d+)/);
      const port = /:(\d+)$/.exec(line)![1];
      const response = await fetch(`http://127.0.0.1:${port}/sentiment`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ text: 'I absolutely loved this movie! The acting was superb.' }),
      });
      expect(response.status).toBe(200);
      expect(((await response.json()) as { label: string }).label).toBe('POSITIVE');
      server.child.kill('SIGTERM');
      const { code, signal, output } = await server;
      expect(code === 0 || signal === 'SIGTERM').toBe(true);
      expect(output).toContain('Engine closed');
    });
  });
});
