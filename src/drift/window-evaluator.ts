import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { EvaluationJob, ReferenceFit, ReferenceJob } from './evaluation-job';
import type { DriftEvaluation } from './feature-set';

export interface EvaluationOutcome {
  evaluation: DriftEvaluation;
  /** Time the statistics took on the evaluation thread, in ms. */
  evaluationMs: number;
}

/**
 * Runs drift's heavy computations somewhere other than the event loop (a worker thread in production, inline in
 * unit specs): a window's tests, and a new reference's projection fit and bandwidth.
 */
export abstract class WindowEvaluator {
  abstract evaluate(job: EvaluationJob): Promise<EvaluationOutcome>;
  abstract fitReference(job: ReferenceJob): Promise<ReferenceFit>;
}

/**
 * Under ts-jest the sources are TypeScript and there is no compiled worker beside this file: the worker then
 * transpiles its modules with the TypeScript compiler (a dev dependency) as it requires them.
 */
const TS_WORKER_BOOTSTRAP = `
const ts = require('typescript');
const fs = require('node:fs');
require.extensions['.ts'] = (module, filename) => {
  const source = fs.readFileSync(filename, 'utf8');
  const { outputText } = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
    fileName: filename,
  });
  module._compile(outputText, filename);
};
require(require('node:worker_threads').workerData.entry);
`;

/**
 * How long shutdown waits for the evaluations already handed to the thread (a window of 1,000 takes about a second
 * on 2 shared cores): long enough that a window closed before shutdown is recorded, short enough that a stuck
 * thread cannot hold the process.
 */
export const EVALUATION_SHUTDOWN_WAIT_MS = 10_000;

interface Pending {
  resolve(message: { result: unknown; evaluationMs: number }): void;
  reject(error: Error): void;
}

/**
 * One worker thread, started on first use, evaluating windows in the order they come. A window's columns are
 * transferred (the closed buffer is not used again), the reference copied. The worker does not keep the process
 * alive while idle; if it dies, pending evaluations fail with the reason and the next one starts a new worker.
 */
@Injectable()
export class WorkerWindowEvaluator extends WindowEvaluator implements OnApplicationShutdown {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, Pending>();
  /**
   * How many nice levels below the process the evaluation thread runs (Linux; see thread-priority.ts): the
   * statistics take the CPU the engine and the event loop leave. Read when the thread starts; the benchmark sets
   * 0 to compare.
   */
  nicenessStep = 10;
  private nextId = 1;
  /** Called once nothing is pending (shutdown waits on it). */
  private idleWaiters: (() => void)[] = [];

  async evaluate(job: EvaluationJob): Promise<EvaluationOutcome> {
    const w = job.window;
    const { result, evaluationMs } = await this.post('window', job, [w.embedding, w.confidence, w.entropy, w.tokenCount, w.unknownShare, w.nonLetterShare, w.truncated, w.label]);
    return { evaluation: result as DriftEvaluation, evaluationMs };
  }

  async fitReference(job: ReferenceJob): Promise<ReferenceFit> {
    const r = job.reference;
    const { result } = await this.post('reference', job, [job.fit, r.embedding, r.confidence, r.entropy, r.tokenCount, r.unknownShare, r.nonLetterShare, r.truncated, r.label]);
    return result as ReferenceFit;
  }

  /** Sends one job; its typed arrays' buffers are transferred (the caller does not use them again). */
  private post(kind: 'window' | 'reference', job: unknown, arrays: ArrayBufferView[]): Promise<{ result: unknown; evaluationMs: number }> {
    const worker = this.ensureWorker();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      if (this.pending.size === 1) worker.ref();
      const transfer = arrays
        .map((array) => array.buffer as ArrayBuffer)
        .filter((buffer, i, all) => buffer.byteLength > 0 && all.indexOf(buffer) === i);
      worker.postMessage({ id, kind, job }, transfer);
    });
  }

  onApplicationShutdown(): Promise<void> {
    return this.close(EVALUATION_SHUTDOWN_WAIT_MS);
  }

  /** Waits up to `graceMs` for pending evaluations, then stops the thread; pending ones left fail with the reason. */
  async close(graceMs: number): Promise<void> {
    // The drift service records each window whose evaluation comes back; terminating the thread first failed them
    // ("the drift evaluation thread stopped: exit code 1") and the windows were lost.
    if (this.pending.size > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        new Promise<void>((resolve) => this.idleWaiters.push(resolve)),
        new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs))),
      ]);
      clearTimeout(timer);
    }
    const worker = this.worker;
    this.worker = undefined;
    if (worker) await worker.terminate();
    this.failAll(new Error('the service is shutting down'));
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const compiled = join(__dirname, 'evaluation.worker.js');
    const workerData = { nicenessStep: this.nicenessStep, entry: join(__dirname, 'evaluation.worker.ts') };
    const worker = existsSync(compiled) ? new Worker(compiled, { workerData }) : new Worker(TS_WORKER_BOOTSTRAP, { eval: true, workerData });
    worker.unref();
    worker.on('message', (message: { id: number; result?: unknown; evaluationMs?: number; error?: string }) => {
      const pending = this.pending.get(message.id);
      if (!pending) return;
      this.pending.delete(message.id);
      if (this.pending.size === 0) {
        worker.unref();
        this.notifyIdle();
      }
      if (message.error !== undefined || message.result === undefined) pending.reject(new Error(message.error ?? 'no result returned'));
      else pending.resolve({ result: message.result, evaluationMs: message.evaluationMs ?? 0 });
    });
    const onDeath = (reason: string) => {
      if (this.worker === worker) this.worker = undefined;
      this.failAll(new Error(`the drift evaluation thread stopped: ${reason}`));
    };
    worker.on('error', (error) => onDeath(error.message));
    worker.on('exit', (code) => onDeath(`exit code ${code}`));
    this.worker = worker;
    return worker;
  }

  private failAll(error: Error): void {
    const pending = [...this.pending.values()];
    this.pending.clear();
    for (const p of pending) p.reject(error);
    this.notifyIdle();
  }

  private notifyIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
