import { ChildProcess, execFile, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { HttpResult, request, RequestOptions } from './server';

const ROOT = resolve(__dirname, '..', '..', '..');

/** Compiles the server as `npm run build` does (tsc -p tsconfig.build.json → dist/). */
export async function compileServer(): Promise<void> {
  await promisify(execFile)(process.execPath, [resolve(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: ROOT });
}

/** The server's log is JSON lines: their `msg`s, one per line (a line that is not JSON is kept as is). */
export function logMessages(output: string): string {
  return output
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => {
      try {
        return String((JSON.parse(line) as { msg?: unknown }).msg);
      } catch {
        return line;
      }
    })
    .join('\n');
}

export interface ChildServer {
  child: ChildProcess;
  baseUrl: string;
  /** Resolves when the process has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** The `msg` of every JSON log line so far, one per line. */
  messages(): string;
  /** Resolves with the first log message matching `pattern` (already printed or to come); rejects if the process exits first. */
  waitFor(pattern: RegExp): Promise<string>;
  request(method: string, path: string, options?: RequestOptions): Promise<HttpResult>;
}

/**
 * Starts the compiled server (`node dist/main.js`) as a child process on a free port of 127.0.0.1, with exactly
 * `env` (plus PATH), and resolves once it listens. The caller stops it (kill) and owns DATA_DIR.
 */
export async function spawnServer(env: Record<string, string>): Promise<ChildServer> {
  const child = spawn(process.execPath, [resolve(ROOT, 'dist/main.js')], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', PORT: '0', HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const messages = () => logMessages(output);
  const waiters = new Set<() => void>();
  const onData = (chunk: Buffer) => {
    output += chunk.toString();
    for (const check of [...waiters]) check();
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolveExit) =>
    child.on('exit', (code, signal) => {
      for (const check of [...waiters]) check();
      resolveExit({ code, signal });
    }),
  );
  let hasExited = false;
  void exited.then(() => (hasExited = true));

  const waitFor = (pattern: RegExp) =>
    new Promise<string>((resolveWait, reject) => {
      const check = () => {
        const match = pattern.exec(messages());
        if (match) {
          waiters.delete(check);
          resolveWait(match[0]);
        } else if (hasExited || child.exitCode !== null || child.signalCode !== null) {
          waiters.delete(check);
          reject(new Error(`the server exited before logging ${pattern}:\n${messages()}`));
        }
      };
      waiters.add(check);
      check();
    });

  const line = await waitFor(/Listening on http:\/\/127\.0\.0\.1:\d+/);
  const baseUrl = `http://127.0.0.1:${/:(\d+)$/.exec(line)![1]}`;
  return {
    child,
    baseUrl,
    exited,
    messages,
    waitFor,
    request: (method, path, options) => request(baseUrl, method, path, options),
  };
}
