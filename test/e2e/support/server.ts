import { DriftService } from '../../../src/drift/drift.service';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../../../src/main';

export interface HttpResult {
  status: number;
  headers: Headers;
  /** Parsed JSON when the response is JSON, else the text. */
  body: any;
  text: string;
}

export interface RequestOptions {
  /** Sent as JSON with content-type application/json. */
  json?: unknown;
  /** Sent as is (a string or bytes); no content-type is added for bytes. */
  body?: string | Uint8Array;
  headers?: Record<string, string>;
}

export interface TestServer {
  app: NestFastifyApplication;
  baseUrl: string;
  /** The server's DATA_DIR: a fresh temporary directory (removed by close) unless the test gave one. */
  dataDir: string;
  request(method: string, path: string, options?: RequestOptions): Promise<HttpResult>;
  close(): Promise<void>;
}

/**
 * Starts the real application (real addon, the model MODEL_DIR names — by default the project's demo model)
 * on an ephemeral port of 127.0.0.1. `env` replaces the process environment entirely, so tests do not depend
 * on the shell they run in. Unless `env` says otherwise, the database goes to a fresh temporary DATA_DIR and
 * only warnings and errors are logged.
 */
export async function startServer(env: Record<string, string> = {}): Promise<TestServer> {
  const ownDataDir = env.DATA_DIR === undefined ? mkdtempSync(join(tmpdir(), 'classifier-e2e-')) : undefined;
  const dataDir = env.DATA_DIR ?? ownDataDir!;
  const removeDataDir = () => {
    if (ownDataDir) rmSync(ownDataDir, { recursive: true, force: true });
  };
  let app: NestFastifyApplication;
  try {
    app = await createApp({ env: { LOG_LEVEL: 'warn', ...env, DATA_DIR: dataDir } });
    await app.listen(0, '127.0.0.1');
    // A model that ships a drift reference (the demo does) has it built through its engine in the background at
    // startup; tests that count the engine's work exactly start once that has settled.
    await app.get(DriftService).idle();
  } catch (error) {
    removeDataDir();
    throw error;
  }
  const { port } = app.getHttpServer().address() as AddressInfo;
  const baseUrl = `http://127.0.0.1:${port}`;
  return {
    app,
    baseUrl,
    dataDir,
    request: (method, path, options) => request(baseUrl, method, path, options),
    close: async () => {
      try {
        await app.close();
      } finally {
        removeDataDir();
      }
    },
  };
}

export async function request(baseUrl: string, method: string, path: string, options: RequestOptions = {}): Promise<HttpResult> {
  const headers: Record<string, string> = { ...options.headers };
  let body: string | Uint8Array | undefined = options.body;
  if (options.json !== undefined) {
    body = JSON.stringify(options.json);
    headers['content-type'] ??= 'application/json';
  }
  const response = await fetch(`${baseUrl}${path}`, { method, headers, body });
  const text = await response.text();
  const isJson = (response.headers.get('content-type') ?? '').includes('application/json');
  return { status: response.status, headers: response.headers, text, body: isJson && text ? JSON.parse(text) : text };
}
