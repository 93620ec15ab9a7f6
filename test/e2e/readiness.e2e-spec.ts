/**
 * Readiness and graceful shutdown end to end, on the real engine and demo model: what /health/ready answers
 * when the database cannot commit, when the engine queue is saturated, before the model is loaded and during a
 * SIGTERM shutdown, and that a request in flight at shutdown still completes (and is committed).
 */
import type BetterSqlite3 from 'better-sqlite3';
import { Sqlite } from '../../src/database/sqlite-driver';
import { ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { AddressInfo, connect, createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { promisify } from 'node:util';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DATABASE_FILE, SqliteDatabase } from '../../src/database/sqlite-database';
import { createApp } from '../../src/main';
import { request, startServer, TestServer } from './support/server';

const ROOT = resolve(__dirname, '..', '..');
const POSITIVE_TEXT = 'I absolutely loved this movie! The acting was superb.';

describe('readiness (real engine, demo model)', () => {
  describe('dependencies', () => {
    let server: TestServer;

    beforeAll(async () => {
      server = await startServer();
    });

    afterAll(async () => {
      await server?.close();
    });

    it('is ready with the model loaded, room in the engine queue and a writable database', async () => {
      const { status, body } = await server.request('GET', '/health/ready');
      expect(status).toBe(200);
      expect(body).toMatchObject({
        status: 'ok',
        info: {
          model: { status: 'up', state: 'ready' },
          engine: { status: 'up', queueDepth: 0, queueCapacity: 4096, maxRatio: 0.9 },
          database: { status: 'up' },
        },
      });
    });

    it('answers 503 while the database cannot commit, and 200 again once it can', async () => {
      const { db } = server.app.get(SqliteDatabase);
      db.pragma('query_only = ON');
      try {
        const notReady = await server.request('GET', '/health/ready');
        expect(notReady.status).toBe(503);
        expect(notReady.headers.get('retry-after')).toBe('5');
        expect(notReady.body.error).toEqual({
          code: 'NOT_READY',
          message: expect.stringMatching(/^The service is not ready \(database: the database cannot commit: .*readonly/),
          details: [{ indicator: 'database', status: 'down', message: expect.stringContaining('readonly') }],
        });
        // The same cause refuses predictions, which must be committed before they are returned.
        expect((await server.request('POST', '/sentiment', { json: { text: 'good' } })).body.error.code).toBe('STORAGE_UNAVAILABLE');
        // Liveness and the in-memory report do not touch the database.
        expect((await server.request('GET', '/health/live')).status).toBe(200);
        expect((await server.request('GET', '/health')).status).toBe(200);
      } finally {
        db.pragma('query_only = OFF');
      }
      expect((await server.request('GET', '/health/ready')).status).toBe(200);
    });

    it('answers 503 when the database connection is gone', async () => {
      server.app.get(SqliteDatabase).db.close();
      const { status, body } = await server.request('GET', '/health/ready');
      expect(status).toBe(503);
      expect(body.error.details).toEqual([{ indicator: 'database', status: 'down', message: 'the database cannot commit: the database is closed' }]);
    });
  });

  it('answers 503 while the engine queue is at or above READY_MAX_QUEUE_RATIO, and 200 once it drains', async () => {
    // One text per batch on one thread drains the queue slowly; the limit is 13 queued texts (0.05 x 256).
    const server = await startServer({
      ENGINE_QUEUE_CAPACITY: '256',
      ENGINE_MAX_BATCH_SIZE: '1',
      ENGINE_RUNNERS: '1',
      ENGINE_INTRA_OP_THREADS: '1',
      ENGINE_CACHE_SIZE: '0',
      READY_MAX_QUEUE_RATIO: '0.05',
    });
    try {
      const batches = Array.from({ length: 3 }, (_, b) =>
        server.request('POST', '/batch-sentiment', {
          json: { texts: Array.from({ length: 64 }, (_, i) => `batch ${b} review ${i}: ${'a long and winding story, '.repeat(20)}`) },
        }),
      );
      let done = false;
      const finished = Promise.all(batches).finally(() => (done = true));
      const saturated: unknown[] = [];
      while (!done) {
        const probe = await server.request('GET', '/health/ready');
        if (probe.status === 503) saturated.push(probe.body.error.details);
      }
      expect((await finished).map((r) => r.status)).toEqual([200, 200, 200]);
      expect(saturated.length).toBeGreaterThan(0);
      expect(saturated[0]).toEqual([
        {
          indicator: 'engine',
          status: 'down',
          queueDepth: expect.any(Number),
          queueCapacity: 256,
          maxRatio: 0.05,
          message: expect.stringMatching(/^the engine queue holds \d+ of 256 texts, at or above READY_MAX_QUEUE_RATIO \(0\.05\)$/),
        },
      ]);
      expect((saturated[0] as Array<{ queueDepth: number }>)[0].queueDepth).toBeGreaterThanOrEqual(13);
      expect((await server.request('GET', '/health/ready')).status).toBe(200);
    } finally {
      await server.close();
    }
  });

  describe('graceful shutdown (in process)', () => {
    it('on SIGTERM: 503 shutting_down at once, serves through the grace, lets the in-flight request finish, then closes engine and database', async () => {
      const events: string[] = [];
      const log = new Writable({
        write(chunk: Buffer, _encoding, callback) {
          for (const line of chunk.toString().split('\n').filter(Boolean)) events.push(String((JSON.parse(line) as { msg: unknown }).msg));
          callback();
        },
      });
      const dataDir = mkdtempSync(join(tmpdir(), 'classifier-shutdown-'));
      const app: NestFastifyApplication = await createApp({ env: { DATA_DIR: dataDir, LOG_LEVEL: 'info', SHUTDOWN_GRACE_MS: '300' }, logDestination: log });
      try {
        await app.listen(0, '127.0.0.1');
        const { port } = app.getHttpServer().address() as AddressInfo;
        const baseUrl = `http://127.0.0.1:${port}`;
        app.getHttpServer().on('request', (req, res) => res.on('finish', () => events.push(`response sent: ${req.method} ${req.url}`)));

        // A request in flight: the server has its headers and half of its body; the rest is held back.
        const received = new Promise((done) => app.getHttpServer().once('request', done));
        const inFlight = startPartialRequest(port, '/sentiment', JSON.stringify({ text: POSITIVE_TEXT }));
        await received;

        // What `enableShutdownHooks()` does on SIGTERM (the type of close() omits its signal parameter).
        const closing = (app as unknown as { close(signal?: string): Promise<void> }).close('SIGTERM');

        const ready = await request(baseUrl, 'GET', '/health/ready');
        expect(ready.status).toBe(503);
        expect(ready.headers.get('connection')).toBe('close');
        expect(ready.body.error).toMatchObject({
          code: 'NOT_READY',
          message: expect.stringMatching(/^The service is shutting down/),
          details: expect.arrayContaining([{ indicator: 'service', status: 'shutting_down', message: 'the service is shutting down' }]),
        });
        expect((await request(baseUrl, 'GET', '/health/live')).status).toBe(200);
        // Still serving during the grace: load balancers that have not noticed yet lose nothing.
        const duringGrace = await request(baseUrl, 'POST', '/sentiment', { json: { text: 'still here' } });
        expect(duringGrace.status).toBe(200);

        await waitFor(() => events.some((e) => e.startsWith('Closing the HTTP server')));
        await expect(fetch(`${baseUrl}/health/live`)).rejects.toThrow();

        const response = await inFlight.finish();
        expect(response.status).toBe(200);
        expect(response.body).toMatchObject({ label: 'POSITIVE', prediction_id: expect.any(String) });
        await closing;

        expect(ordered(events, [
          'Shutting down: readiness answers 503 shutting_down',
          'SIGTERM: still serving for 300 ms (SHUTDOWN_GRACE_MS) so load balancers stop routing here',
          'Closing the HTTP server: no new connections; requests in flight finish',
          'response sent: POST /sentiment',
          'HTTP server closed',
          'Engine closed',
          'Database closed',
        ])).toBe(true);
        // The in-flight prediction was committed before it was answered.
        const db = new Sqlite(join(dataDir, DATABASE_FILE), { readonly: true });
        expect(db.prepare('SELECT label FROM predictions WHERE id = ?').get(response.body.prediction_id)).toEqual({ label: 'POSITIVE' });
        db.close();
      } finally {
        await app.close().catch(() => undefined);
        rmSync(dataDir, { recursive: true, force: true });
      }
    });
  });

  describe('the compiled server (node dist/main.js)', () => {
    beforeAll(async () => {
      await promisify(execFile)(process.execPath, [resolve(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: ROOT });
    });

    it('is never ready before the model is loaded, and drains on a real SIGTERM', async () => {
      const port = await freePort();
      const dataDir = mkdtempSync(join(tmpdir(), 'classifier-ready-'));
      const baseUrl = `http://127.0.0.1:${port}`;
      let output = '';
      const child: ChildProcess = spawn(process.execPath, [resolve(ROOT, 'dist/main.js')], {
        cwd: ROOT,
        env: { PATH: process.env.PATH ?? '', DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', SHUTDOWN_GRACE_MS: '500' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => child.on('exit', (code, signal) => done({ code, signal })));
      try {
        // Probe from the moment the process starts until readiness answers: every earlier probe is refused.
        const refusedBeforeReady: boolean[] = [];
        let first: Awaited<ReturnType<typeof request>> | undefined;
        let logAtFirstAnswer = '';
        while (!first) {
          try {
            first = await request(baseUrl, 'GET', '/health/ready');
            logAtFirstAnswer = output;
          } catch {
            refusedBeforeReady.push(true);
            if (child.exitCode !== null) throw new Error(`the server exited:\n${output}`);
            await new Promise((r) => setTimeout(r, 5));
          }
        }
        expect(refusedBeforeReady.length).toBeGreaterThan(0);
        expect(first.status).toBe(200);
        expect(first.body.info.model).toMatchObject({ status: 'up', state: 'ready' });
        expect(logAtFirstAnswer).toMatch(/Model \\"demo-sentiment\\" version \S+ ready in/);

        const inFlight = startPartialRequest(port, '/sentiment', JSON.stringify({ text: POSITIVE_TEXT }));
        await inFlight.sent;
        child.kill('SIGTERM');
        await waitFor(async () => (await request(baseUrl, 'GET', '/health/ready')).status === 503);
        const ready = await request(baseUrl, 'GET', '/health/ready');
        expect(ready.body.error.details[0]).toEqual({ indicator: 'service', status: 'shutting_down', message: 'the service is shutting down' });
        const response = await inFlight.finish();
        expect(response.status).toBe(200);
        expect(response.body.label).toBe('POSITIVE');

        expect(await exited).toEqual({ code: 0, signal: null });
        // The JSON log's messages (Node's own warnings, on stderr, are not JSON). Their order is checked in process
        // above: the asynchronous stdout writer may reorder the last lines it flushes at exit (their times do not).
        const messages = output
          .split('\n')
          .filter((line) => line.startsWith('{'))
          .map((line) => String((JSON.parse(line) as { msg: unknown }).msg));
        for (const step of ['Shutting down', 'SIGTERM: still serving for 500 ms', 'Closing the HTTP server', 'HTTP server closed', 'Engine closed', 'Database closed']) {
          expect(messages.filter((m) => m.startsWith(step))).toHaveLength(1);
        }
      } finally {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
        await exited;
        rmSync(dataDir, { recursive: true, force: true });
      }
    });
  });
});

/** True when each of `expected` starts some event, in this order (other events may come between). */
function ordered(events: string[], expected: string[]): boolean {
  let from = 0;
  for (const prefix of expected) {
    const index = events.findIndex((event, i) => i >= from && event.startsWith(prefix));
    if (index < 0) {
      throw new Error(`"${prefix}" missing or out of order in:\n${events.join('\n')}`);
    }
    from = index + 1;
  }
  return true;
}

async function waitFor(condition: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await condition())) await new Promise((r) => setTimeout(r, 5));
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

/**
 * A POST whose body is sent in two halves: `sent` resolves once the headers and the first half are written,
 * `finish()` sends the rest and resolves with the response. Lets a test hold a request in flight across a
 * shutdown.
 */
function startPartialRequest(port: number, path: string, body: string) {
  const socket: Socket = connect(port, '127.0.0.1');
  const half = Math.floor(body.length / 2);
  let raw = '';
  socket.on('data', (chunk) => (raw += chunk.toString()));
  const ended = new Promise<void>((done) => socket.on('end', done));
  const sent = new Promise<void>((done) =>
    socket.on('connect', () => {
      socket.write(`POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n`);
      socket.write(body.slice(0, half), () => done());
    }),
  );
  return {
    sent,
    async finish(): Promise<{ status: number; body: any }> {
      socket.write(body.slice(half));
      await ended;
      const [head, payload] = raw.split('\r\n\r\n');
      return { status: Number(head.split(' ')[1]), body: JSON.parse(payload) };
    },
  };
}
