import { extname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { BatchError, EXIT } from './exit-codes';

export type InputFormat = 'csv' | 'jsonl' | 'text';
export type OutputFormat = 'jsonl' | 'csv';
export type ProgressMode = 'auto' | 'bar' | 'lines' | 'none';

export interface BatchOptions {
  modelDir: string;
  /** A file path, or undefined for stdin. */
  input?: string;
  inputFormat: InputFormat;
  /** The CSV column (by header name) or JSONL field holding the text. */
  textKey: string;
  /** A file path, or undefined for stdout. */
  output?: string;
  outputFormat: OutputFormat;
  resume: boolean;
  overwrite: boolean;
  /** Texts per chunk (each its own engine call); inFlight chunks are in flight so the batcher always has work queued. */
  chunkSize: number;
  inFlight: number;
  progress: ProgressMode;
  progressIntervalMs: number;
  /** How often the output file is fsynced while running (and always at the end). */
  fsyncIntervalMs: number;
  engine: { runners?: number; intraOpThreads?: number; maxBatchSize?: number; cacheSize?: number };
}

export const USAGE = `Usage: classify-batch [options] [input]
Classifies every text of a CSV, JSONL or plain-text file (or stdin) with the native engine, writing one row per
text in input order (JSONL or CSV: line, label, score, every label's probability). Reference: docs/batch.md.

  input                     input file; omitted or "-": stdin
  --model DIR               model directory (default: $MODEL_DIR, else the demo model)
  --format csv|jsonl|text   input format (default: from the extension; .csv, .jsonl/.ndjson, else text)
  --column NAME             CSV column holding the text (default: text)
  --field NAME              JSONL field holding the text (default: text)
  --output FILE             output file (default: stdout)
  --output-format jsonl|csv output format (default: from the output extension, else jsonl)
  --resume                  continue an interrupted run: keep the output's complete rows, skip those inputs
  --overwrite               replace an existing output file
  --progress auto|bar|lines|none  bar on a terminal, periodic lines otherwise (default: auto, on stderr)
  --progress-interval SEC   seconds between progress lines (default: 10)
  --fsync-interval SEC      seconds between fsyncs of the output file (default: 5; always at the end)
  --chunk-size N            texts per chunk, each text its own engine call (default: 256)
  --in-flight N             chunks in flight (default: 4)
  --runners N, --intra-op-threads N, --max-batch-size N, --cache-size N   engine options (docs/engine.md)
  --help                    this text
Exit codes: 0 done; 1 unexpected failure; 2 usage; 3 input/output error; 4 model not loadable;
5 done with bad records; 130/143 interrupted by SIGINT/SIGTERM (rerun with --resume).`;

function positiveInteger(name: string, raw: string | undefined, fallback: number | undefined, min = 1): number | undefined {
  if (raw === undefined) return fallback;
  const value = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min) {
    throw new BatchError(EXIT.USAGE, `Expected an integer >= ${min} for --${name} but received ${JSON.stringify(raw)}`);
  }
  return value;
}

function choice<T extends string>(name: string, raw: string | undefined, choices: readonly T[]): T | undefined {
  if (raw === undefined) return undefined;
  if (!(choices as readonly string[]).includes(raw)) {
    throw new BatchError(EXIT.USAGE, `Expected one of ${choices.join(', ')} for --${name} but received ${JSON.stringify(raw)}`);
  }
  return raw as T;
}

function inputFormatFromName(file: string | undefined): InputFormat {
  const ext = file ? extname(file).toLowerCase() : '';
  if (ext === '.csv') return 'csv';
  if (ext === '.jsonl' || ext === '.ndjson') return 'jsonl';
  return 'text';
}

/**
 * Parses the command line. `defaultModelDir` is $MODEL_DIR or the demo model (the caller decides, so this stays
 * free of process.env). Returns undefined when --help was asked for.
 */
export function parseBatchOptions(argv: string[], defaultModelDir: string): BatchOptions | undefined {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        model: { type: 'string' },
        format: { type: 'string' },
        column: { type: 'string' },
        field: { type: 'string' },
        output: { type: 'string', short: 'o' },
        'output-format': { type: 'string' },
        resume: { type: 'boolean' },
        overwrite: { type: 'boolean' },
        progress: { type: 'string' },
        'progress-interval': { type: 'string' },
        'fsync-interval': { type: 'string' },
        'chunk-size': { type: 'string' },
        'in-flight': { type: 'string' },
        runners: { type: 'string' },
        'intra-op-threads': { type: 'string' },
        'max-batch-size': { type: 'string' },
        'cache-size': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw new BatchError(EXIT.USAGE, `${(error as Error).message}\n${USAGE}`);
  }
  const { values, positionals } = parsed;
  if (values.help) return undefined;
  if (positionals.length > 1) {
    throw new BatchError(EXIT.USAGE, `Expected at most one input file but received ${positionals.length}: ${positionals.join(' ')}`);
  }
  const input = positionals[0] === undefined || positionals[0] === '-' ? undefined : resolve(positionals[0]);
  const output = values.output === undefined || values.output === '-' ? undefined : resolve(values.output);
  const inputFormat = choice('format', values.format, ['csv', 'jsonl', 'text'] as const) ?? inputFormatFromName(input);
  const outputFormat =
    choice('output-format', values['output-format'], ['jsonl', 'csv'] as const) ??
    (output && extname(output).toLowerCase() === '.csv' ? 'csv' : 'jsonl');
  if (values.column !== undefined && inputFormat !== 'csv') {
    throw new BatchError(EXIT.USAGE, `--column applies to CSV input, but the input format is ${inputFormat}`);
  }
  if (values.field !== undefined && inputFormat !== 'jsonl') {
    throw new BatchError(EXIT.USAGE, `--field applies to JSONL input, but the input format is ${inputFormat}`);
  }
  if ((values.resume || values.overwrite) && !output) {
    throw new BatchError(EXIT.USAGE, `--${values.resume ? 'resume' : 'overwrite'} needs --output FILE (stdout cannot be resumed)`);
  }
  if (values.resume && values.overwrite) throw new BatchError(EXIT.USAGE, '--resume and --overwrite exclude each other');
  return {
    modelDir: resolve(values.model ?? defaultModelDir),
    input,
    inputFormat,
    textKey: values.column ?? values.field ?? 'text',
    output,
    outputFormat,
    resume: Boolean(values.resume),
    overwrite: Boolean(values.overwrite),
    chunkSize: positiveInteger('chunk-size', values['chunk-size'], 256)!,
    inFlight: positiveInteger('in-flight', values['in-flight'], 4)!,
    progress: choice('progress', values.progress, ['auto', 'bar', 'lines', 'none'] as const) ?? 'auto',
    progressIntervalMs: positiveInteger('progress-interval', values['progress-interval'], 10)! * 1000,
    fsyncIntervalMs: positiveInteger('fsync-interval', values['fsync-interval'], 5)! * 1000,
    engine: {
      runners: positiveInteger('runners', values.runners, undefined),
      intraOpThreads: positiveInteger('intra-op-threads', values['intra-op-threads'], undefined),
      maxBatchSize: positiveInteger('max-batch-size', values['max-batch-size'], undefined),
      cacheSize: positiveInteger('cache-size', values['cache-size'], undefined, 0),
    },
  };
}
