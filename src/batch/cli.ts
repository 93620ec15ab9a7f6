import { createReadStream, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { Engine } from '../../lib';
import { runBatch } from './batch-classifier';
import { BatchOptions, parseBatchOptions, USAGE } from './batch-options';
import { BatchError, EXIT, ExitCode } from './exit-codes';
import { readRecords } from './input-records';
import { fileSink, OutputSink, streamSink } from './output-sink';
import { ProgressReporter } from './progress-reporter';

/** The demo model beside the package (dist/batch or src/batch → ../../models). */
const DEMO_MODEL_DIR = resolve(__dirname, '..', '..', 'models', 'demo-sentiment');

/** Bad records listed by line number in the final summary; each is also reported when it is met. */
const SUMMARY_LINES = 20;

export interface CliIo {
  stdin: Readable;
  stdout: Writable;
  stderr: Writable & { isTTY?: boolean };
  /** $MODEL_DIR: the default model, as in the server and the image. */
  modelDirFromEnv?: string;
  /** Registers a handler for SIGINT/SIGTERM; returns an unregister function. */
  onSignal(handler: (signal: 'SIGINT' | 'SIGTERM') => void): () => void;
}

function openInput(options: BatchOptions, io: CliIo): { stream: Readable; totalBytes?: number } {
  if (!options.input) return { stream: io.stdin };
  let size: number;
  try {
    const stat = statSync(options.input);
    if (!stat.isFile()) throw new Error('not a regular file');
    size = stat.size;
  } catch (error) {
    throw new BatchError(EXIT.IO, `Cannot read the input ${options.input}: ${(error as Error).message}`);
  }
  // A large read buffer: fewer, larger reads of multi-gigabyte inputs; memory stays bounded by it.
  return { stream: createReadStream(options.input, { highWaterMark: 1024 * 1024 }), totalBytes: size };
}

async function loadEngine(options: BatchOptions): Promise<Engine> {
  const engineOptions = Object.fromEntries(Object.entries(options.engine).filter(([, v]) => v !== undefined));
  try {
    return await Engine.load(options.modelDir, engineOptions);
  } catch (error) {
    const { code, message } = error as { code?: string; message: string };
    throw new BatchError(EXIT.MODEL, `Cannot load the model ${options.modelDir} (${code ?? 'ERROR'}): ${message}`);
  }
}

/**
 * The offline batch command (bin/classify-batch.js). Returns the exit code (exit-codes.ts); every message goes
 * to stderr, rows to the output (a file, or stdout).
 */
export async function runCli(argv: string[], io: CliIo): Promise<ExitCode> {
  let engine: Engine | undefined;
  let sink: OutputSink | undefined;
  let unregister = () => {};
  try {
    const options = parseBatchOptions(argv, io.modelDirFromEnv || DEMO_MODEL_DIR);
    if (!options) {
      io.stdout.write(`${USAGE}\n`);
      return EXIT.OK;
    }
    const input = openInput(options, io);
    engine = await loadEngine(options);
    const labels = engine.info().labels;
    sink = options.output
      ? await fileSink(options.output, options.outputFormat, labels, options)
      : streamSink(io.stdout, options.outputFormat, labels);
    if (sink.resumeAfterLine > 0) {
      io.stderr.write(`resuming ${options.output}: its rows cover the input up to line ${sink.resumeAfterLine}\n`);
    }

    const mode = options.progress === 'auto' ? (io.stderr.isTTY ? 'bar' : 'lines') : options.progress;
    const progress = new ProgressReporter(mode, io.stderr, options.progressIntervalMs, input.totalBytes);
    let signal: 'SIGINT' | 'SIGTERM' | undefined;
    unregister = io.onSignal((received) => {
      if (signal) return;
      signal = received;
      progress.note(`${received}: finishing the rows in flight, then stopping (rerun with --resume to continue)`);
      // Ends the records at once even while the input waits for data (stdin); those read are still written.
      input.stream.destroy();
    });

    const badLines: number[] = [];
    let lastFsync = performance.now();
    const activeSink = sink;
    const result = await runBatch({
      records: readRecords(input.stream, options.inputFormat, options.textKey),
      classifier: engine,
      sink: activeSink,
      format: options.outputFormat,
      labels,
      chunkSize: options.chunkSize,
      inFlight: options.inFlight,
      onBad: ({ line, problem }) => {
        if (badLines.length < SUMMARY_LINES) badLines.push(line);
        progress.note(`bad record at line ${line}: ${problem}`);
      },
      onProgress: ({ rows, bad }) => {
        progress.update({ rows, bad, bytes: (input.stream as { bytesRead?: number }).bytesRead ?? 0 });
        if (performance.now() - lastFsync >= options.fsyncIntervalMs) {
          lastFsync = performance.now();
          void activeSink.flush();
        }
      },
      shouldStop: () => signal !== undefined,
    });
    await sink.close();
    sink = undefined;
    progress.finish();

    const parts = [`${result.rows} rows written`];
    if (result.skipped) parts.push(`${result.skipped} records already done (resumed)`);
    if (result.bad) {
      const more = result.bad > badLines.length ? `, ... (${result.bad - badLines.length} more)` : '';
      parts.push(`${result.bad} bad records (lines ${badLines.join(', ')}${more})`);
    }
    parts.push(`${Math.round(progress.rate())} rows/s`);
    io.stderr.write(`${signal ? `stopped by ${signal}` : 'done'}: ${parts.join('; ')}\n`);
    if (signal) return signal === 'SIGINT' ? EXIT.INTERRUPTED : EXIT.TERMINATED;
    return result.bad > 0 ? EXIT.BAD_RECORDS : EXIT.OK;
  } catch (error) {
    if (sink) await sink.close().catch(() => undefined);
    if (error instanceof BatchError) {
      io.stderr.write(`classify-batch: ${error.message}\n`);
      return error.exitCode;
    }
    io.stderr.write(`classify-batch: unexpected failure (a bug): ${(error as Error).stack ?? String(error)}\n`);
    return EXIT.INTERNAL;
  } finally {
    unregister();
    await engine?.close().catch(() => undefined);
  }
}
