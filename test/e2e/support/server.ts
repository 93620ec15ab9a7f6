import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { AddressInfo } from 'node:net';
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
  request(method: string, path: string, options?: RequestOptions): Promise<HttpResult>;
  close(): Promise<void>;
}

/**
 * Starts the real application (real addon, the model MODEL_DIR names — by default the project's demo model)
 * on an ephemeral port of 127.0.0.1. `env` replaces the process environment entirely, so tests do not depend
 * on the shell they run in.
 */
export async function startServer(env: Record<string, string> = {}): Promise<TestServer> {
  const app = await createApp({ env, logger: ['error', 'warn'] });
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  const baseUrl = `http://127.0.0.1:${port}`;
  return {
    app,
    baseUrl,
    request: (method, path, options) => request(baseUrl, method, path, options),
    close: () => app.close(),
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
