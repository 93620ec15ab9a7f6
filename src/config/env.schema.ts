import { isAbsolute, resolve } from 'node:path';
import { AppConfig } from './app-config';
import { DEFAULT_DATA_DIR, DEFAULT_MODEL_DIR } from './paths';

/** Raw environment, as `process.env` holds it. */
export type RawEnv = Readonly<Record<string, string | undefined>>;

/** Thrown when one or more variables are invalid; `problems` lists every one of them. */
export class InvalidConfigError extends Error {
  readonly code = 'INVALID_CONFIG';

  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'InvalidConfigError';
  }
}

type Parse<T> = (raw: string) => { value: T } | { problem: string };

interface Setting<T> {
  /** Environment variable name. */
  env: string;
  /** Value when the variable is unset or empty; `undefined` makes the setting optional. */
  default: T | undefined;
  parse: Parse<T>;
  description: string;
}

const integer =
  (min: number, max: number): Parse<number> =>
  (raw) => {
    const value = /^\s*\d+\s*$/.test(raw) ? Number(raw) : Number.NaN;
    return Number.isSafeInteger(value) && value >= min && value <= max
      ? { value }
      : { problem: `expected an integer between ${min} and ${max} but received ${JSON.stringify(raw)}` };
  };

const decimal =
  (min: number, max: number): Parse<number> =>
  (raw) => {
    const value = /^\s*\d+(\.\d+)?\s*$/.test(raw) ? Number(raw) : Number.NaN;
    return Number.isFinite(value) && value >= min && value <= max
      ? { value }
      : { problem: `expected a number between ${min} and ${max} but received ${JSON.stringify(raw)}` };
  };

const oneOf =
  <T extends string>(...choices: T[]): Parse<T> =>
  (raw) =>
    (choices as string[]).includes(raw.trim())
      ? { value: raw.trim() as T }
      : { problem: `expected one of ${choices.join(', ')} but received ${JSON.stringify(raw)}` };

const booleanFlag: Parse<boolean> = (raw) => {
  const value = raw.trim().toLowerCase();
  if (value === 'true' || value === '1') return { value: true };
  if (value === 'false' || value === '0') return { value: false };
  return { problem: `expected true or false but received ${JSON.stringify(raw)}` };
};

/** A comma-separated subset of `choices`, at least one, no repeats. */
const subsetOf =
  <T extends string>(...choices: T[]): Parse<readonly T[]> =>
  (raw) => {
    const items = raw.split(',').map((item) => item.trim()).filter((item) => item.length > 0);
    const unknown = items.filter((item) => !(choices as string[]).includes(item));
    if (items.length === 0 || unknown.length > 0) {
      return { problem: `expected a comma-separated list of ${choices.join(', ')} but received ${JSON.stringify(raw)}` };
    }
    return { value: Object.freeze([...new Set(items)] as T[]) };
  };

const nonEmptyString: Parse<string> = (raw) =>
  raw.trim().length > 0 ? { value: raw.trim() } : { problem: 'expected a non-empty string' };

const directoryPath: Parse<string> = (raw) => {
  const parsed = nonEmptyString(raw);
  if ('problem' in parsed) return parsed;
  return { value: isAbsolute(parsed.value) ? parsed.value : resolve(parsed.value) };
};

/**
 * THE environment schema: every variable the service reads, its default and its rule. Nothing else in the
 * code reads process.env. An unset or empty variable takes its default.
 */
const SCHEMA = {
  modelDir: {
    env: 'MODEL_DIR',
    default: DEFAULT_MODEL_DIR,
    parse: directoryPath,
    description: 'Model directory (model.onnx, tokenizer.json, config.json); relative paths resolve against the working directory.',
  },
  port: { env: 'PORT', default: 8000, parse: integer(0, 65535), description: 'TCP port; 0 picks a free one.' },
  host: { env: 'HOST', default: '0.0.0.0', parse: nonEmptyString, description: 'Interface to bind.' },
  maxBatchTexts: {
    env: 'MAX_BATCH_TEXTS',
    default: 64,
    parse: integer(1, 100_000),
    description: 'Most texts in one POST /batch-sentiment.',
  },
  maxTextChars: {
    env: 'MAX_TEXT_CHARS',
    default: 10_000,
    parse: integer(1, 10_000_000),
    description: 'Longest text, in Unicode characters.',
  },
  bodyLimitBytes: {
    env: 'BODY_LIMIT_BYTES',
    default: 1024 * 1024,
    parse: integer(1024, 1024 * 1024 * 1024),
    description: 'Largest request body, in bytes.',
  },
  engineIntraOpThreads: {
    env: 'ENGINE_INTRA_OP_THREADS',
    default: undefined,
    parse: integer(1, 1024),
    description: 'ONNX Runtime intra-op threads per runner (default: the cores divided among the runners).',
  },
  // The engine's own defaults apply when these are unset (README, "Load options"): they are not repeated here.
  engineMaxBatchSize: {
    env: 'ENGINE_MAX_BATCH_SIZE',
    default: undefined,
    parse: integer(1, 4096),
    description: 'Most texts in one batch (engine default 32).',
  },
  engineMaxWaitMs: {
    env: 'ENGINE_MAX_WAIT_MS',
    default: undefined,
    parse: decimal(0, 60_000),
    description: 'How long the oldest queued text waits for its batch to fill, in ms (engine default 2).',
  },
  engineQueueCapacity: {
    env: 'ENGINE_QUEUE_CAPACITY',
    default: undefined,
    parse: integer(1, 16_777_216),
    description: 'Texts waiting before requests are answered 429 OVERLOADED (engine default 4096).',
  },
  engineRunners: {
    env: 'ENGINE_RUNNERS',
    default: undefined,
    parse: integer(1, 64),
    description: 'Batches computed at the same time (engine default 2, or 1 on a single core).',
  },
  engineThreadNiceness: {
    env: 'ENGINE_THREAD_NICENESS',
    // 2: measured to lower the event loop's p99 delay under load without costing throughput (BENCHMARKS.md).
    default: 2,
    parse: integer(0, 19),
    description:
      "Nice levels the engine's threads (batcher, runners, ONNX Runtime's intra-op threads) run below the event loop, 0-19: where they share cores, the event loop gets a core first and the engine still gets the rest.",
  },
  engineCacheSize: {
    env: 'ENGINE_CACHE_SIZE',
    default: undefined,
    parse: integer(0, 16_777_216),
    description: 'Classification results kept in the LRU cache; 0 turns it off (engine default 1024).',
  },
  engineDevice: {
    env: 'ENGINE_DEVICE',
    default: undefined,
    parse: oneOf('cpu', 'cuda', 'auto'),
    description: "Execution provider: cpu, cuda (fail when unusable) or auto (CUDA if usable, else CPU); engine default cpu.",
  },
  engineSharedThreads: {
    env: 'ENGINE_SHARED_THREADS',
    default: true,
    parse: booleanFlag,
    description:
      'true: every loaded model version (production, canary, shadow, one being validated) runs on one process-wide ONNX Runtime thread pool of one thread per core, so extra versions share the cores instead of each bringing its own threads; false: each engine has its own (ENGINE_INTRA_OP_THREADS). Setting ENGINE_INTRA_OP_THREADS implies false.',
  },
  dataDir: {
    env: 'DATA_DIR',
    default: DEFAULT_DATA_DIR,
    parse: directoryPath,
    description: 'Directory of the SQLite database (jobs, prediction log, feedback); created when missing. Relative paths resolve against the working directory.',
  },
  dbSynchronous: {
    env: 'DB_SYNCHRONOUS',
    default: 'normal',
    parse: oneOf('normal', 'full'),
    description:
      "SQLite's synchronous mode (WAL journal): normal keeps every commit across a process crash (kill -9) and may lose the last commits on power loss; full fsyncs every commit and keeps them across power loss too, at a cost per write.",
  },
  databaseUrl: {
    env: 'DATABASE_URL',
    default: undefined,
    parse: (raw) =>
      /^postgres(ql)?:\/\/\S+$/.test(raw.trim())
        ? { value: raw.trim() }
        : { problem: 'expected a PostgreSQL connection URL, postgres://user:password@host:port/database' },
    description:
      'PostgreSQL connection URL (postgres://user:password@host:5432/database): every store (prediction log, feedback, jobs, monitoring, model roles, drift) lives there, so several replicas share one state. Unset: the embedded SQLite database in DATA_DIR.',
  },
  databasePoolSize: {
    env: 'DATABASE_POOL_SIZE',
    default: 10,
    parse: integer(2, 200),
    description: 'Most PostgreSQL connections one replica opens (one more is kept for LISTEN). Replicas x this must stay under the server\'s max_connections.',
  },
  databaseConnectTimeoutMs: {
    env: 'DATABASE_CONNECT_TIMEOUT_MS',
    default: 5000,
    parse: integer(100, 120_000),
    description: 'How long a PostgreSQL connection attempt (or a wait for a free pooled connection) lasts before the operation fails with STORAGE_UNAVAILABLE.',
  },
  logLevel: {
    env: 'LOG_LEVEL',
    default: 'info',
    parse: oneOf('fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'),
    description: 'Least severe level written to the JSON log on stdout; debug adds one line per HTTP request.',
  },
  modelVersion: {
    env: 'MODEL_VERSION',
    default: undefined,
    parse: nonEmptyString,
    description:
      "Version reported with every prediction and stored in the prediction log (default: the model's name and the first 12 hex digits of the SHA-256 of its files).",
  },
  adminToken: {
    env: 'ADMIN_TOKEN',
    default: undefined,
    parse: (raw) =>
      raw.trim().length >= 16
        ? { value: raw.trim() }
        : { problem: 'expected at least 16 characters (a random secret, e.g. `openssl rand -hex 32`)' },
    description:
      'Bearer token that admin routes (model management, drift reference) require as `Authorization: Bearer <token>`, compared in constant time; at least 16 characters. Unset: admin routes answer 403 ADMIN_DISABLED.',
  },
  modelRepository: {
    env: 'MODEL_REPOSITORY',
    default: undefined,
    parse: directoryPath,
    description:
      'Directory of the model registry: one immutable directory per registered version, with its manifest.json (default: <DATA_DIR>/models). Relative paths resolve against the working directory.',
  },
  modelImportRoot: {
    env: 'MODEL_IMPORT_ROOT',
    default: undefined,
    parse: directoryPath,
    description:
      'The only directory POST /update-model and POST /models may import model directories from; a model_path that resolves (symlinks followed) outside it is refused before a byte is read. Unset: imports by path are refused.',
  },
  modelMinAccuracy: {
    env: 'MODEL_MIN_ACCURACY',
    default: 0.7,
    parse: decimal(0, 1),
    description:
      "Accuracy a version must reach on its directory's validation.jsonl (one {\"text\", \"label\"} per line) before it may take traffic; versions without the file are checked by the smoke batch only.",
  },
  modelReconcileSeconds: {
    env: 'MODEL_RECONCILE_SECONDS',
    default: 10,
    parse: integer(1, 3600),
    description:
      "With PostgreSQL (DATABASE_URL): how often each replica compares the database's model roles with what it serves and applies the difference, in case it missed a role-change notification.",
  },
  shadowQueueCapacity: {
    env: 'SHADOW_QUEUE_CAPACITY',
    default: 256,
    parse: integer(1, 1_000_000),
    description: 'Texts waiting for the shadow version; sampled texts beyond it are dropped (and counted) so the shadow never slows production.',
  },
  predictionLogInput: {
    env: 'PREDICTION_LOG_INPUT',
    default: 'hash',
    parse: oneOf('full', 'hash', 'none'),
    description: 'What the prediction log keeps of each input text: full (the text), hash (its SHA-256, the default) or none.',
  },
  predictionLogRetentionDays: {
    env: 'PREDICTION_LOG_RETENTION_DAYS',
    default: 30,
    parse: integer(0, 36_500),
    description: 'Days a logged prediction is kept (feedback can only name predictions still kept); 0 keeps them forever.',
  },
  monitorWindowMinutes: {
    env: 'MONITOR_WINDOW_MINUTES',
    default: 60,
    parse: integer(1, 43_200),
    description:
      'Length of a performance-monitoring window, in minutes: feedback is grouped per model version into consecutive windows of this length (aligned to the Unix epoch, so 60 means each UTC hour) by the time it was received.',
  },
  monitorMinSamples: {
    env: 'MONITOR_MIN_SAMPLES',
    default: 30,
    parse: integer(1, 10_000_000),
    description:
      "Labelled predictions a window needs before its figures can set a model version's baseline or flag degradation; smaller windows are reported but never flag.",
  },
  monitorDegradationThreshold: {
    env: 'MONITOR_DEGRADATION_THRESHOLD',
    default: 0.05,
    parse: decimal(0, 1),
    description:
      "Relative drop of a window's weighted F1 below its model version's baseline beyond which the version is flagged degraded (0.05: more than 5 % below).",
  },
  monitorHistoryWindows: {
    env: 'MONITOR_HISTORY_WINDOWS',
    default: 24,
    parse: integer(1, 1000),
    description: 'Past windows kept in memory and reported by GET /monitoring/performance, besides the current one.',
  },
  monitorRefreshSeconds: {
    env: 'MONITOR_REFRESH_SECONDS',
    default: 30,
    parse: integer(1, 3600),
    description:
      'On PostgreSQL (DATABASE_URL), how often each replica reloads the monitoring windows from the shared store, so GET /monitoring/performance gives the same figures on every replica at most this many seconds after a feedback. Unused on SQLite (one process: every feedback updates the windows at once).',
  },
  metricsPort: {
    env: 'METRICS_PORT',
    default: undefined,
    parse: integer(0, 65535),
    description:
      'Port of a separate HTTP listener on HOST that serves only GET /metrics (Prometheus), keeping scrapes off the public port; 0 picks a free one. Unset: /metrics is served on PORT.',
  },
  readyMaxQueueRatio: {
    env: 'READY_MAX_QUEUE_RATIO',
    default: 0.9,
    parse: decimal(0.01, 1),
    description:
      'GET /health/ready answers 503 while the engine queue holds at least this share of its capacity (ENGINE_QUEUE_CAPACITY), so load balancers send new work to other replicas before this one starts answering 429 OVERLOADED; 1: only while the queue is full.',
  },
  shutdownGraceMs: {
    env: 'SHUTDOWN_GRACE_MS',
    default: 5000,
    parse: integer(0, 600_000),
    description:
      "After SIGTERM, how long GET /health/ready answers 503 shutting_down while requests are still served, before the HTTP server stops accepting connections, so load balancers stop routing here first; then in-flight requests finish, the engine closes, then the database. Keep it plus the drain time below the orchestrator's kill timeout (docker stop: 10 s, Kubernetes: terminationGracePeriodSeconds, 30 s). SIGINT (Ctrl-C) does not wait.",
  },
  jobMaxTexts: {
    env: 'JOB_MAX_TEXTS',
    default: 10_000,
    parse: integer(1, 1_000_000),
    description: 'Most texts in one POST /async-sentiment job (BODY_LIMIT_BYTES still caps the request).',
  },
  jobChunkSize: {
    env: 'JOB_CHUNK_SIZE',
    default: 64,
    parse: integer(1, 4096),
    description:
      "Texts a job worker sends to the engine in one call (a quarter of it while other requests use the engine); each chunk's results and progress are committed together, so a crash redoes at most the chunks in flight.",
  },
  jobWorkers: {
    env: 'JOB_WORKERS',
    default: 2,
    parse: integer(1, 64),
    description:
      'Job chunks classified at the same time while jobs have the engine to themselves; one at a time while other requests use it (in the last second).',
  },
  jobPageSize: {
    env: 'JOB_PAGE_SIZE',
    default: 100,
    parse: integer(1, 1000),
    description: 'Results per page of GET /job/:id when the request gives no limit (a request may ask for up to 1000).',
  },
  jobRetentionHours: {
    env: 'JOB_RETENTION_HOURS',
    default: 168,
    parse: integer(0, 876_000),
    description: 'Hours a completed or failed job and its results are kept after it finished; 0 keeps them forever. Queued and running jobs are never deleted.',
  },
  jobShutdownTimeoutMs: {
    env: 'JOB_SHUTDOWN_TIMEOUT_MS',
    default: 10_000,
    parse: integer(0, 600_000),
    description:
      'At shutdown, how long in-flight job chunks may take to finish and commit, in ms; chunks still running then are not committed and are redone on the next start.',
  },
  jobPollIntervalMs: {
    env: 'JOB_POLL_INTERVAL_MS',
    default: 500,
    parse: integer(10, 60_000),
    description:
      'With DATABASE_URL (several replicas): how often idle job workers look for work another replica accepted, or a chunk whose lease expired, in ms. The embedded SQLite database is one process: its workers are woken on submit and never poll.',
  },
  jobLeaseSeconds: {
    env: 'JOB_LEASE_SECONDS',
    default: 30,
    parse: integer(1, 3600),
    description:
      "How long a claimed job chunk stays its worker's without a renewal (renewed every third of it while the chunk is in the engine); a chunk whose replica died is claimed by another once its lease expired.",
  },
  driftEnabled: {
    env: 'DRIFT_ENABLED',
    default: true,
    parse: booleanFlag,
    description:
      'Data-drift detection on live predictions (docs/drift.md): the engine captures features in the same forward pass and tumbling windows per model version are tested against a reference. false turns both off.',
  },
  driftWindowSize: {
    env: 'DRIFT_WINDOW_SIZE',
    default: 1000,
    parse: integer(10, 100_000),
    description: 'Predictions per tumbling drift window of a model version; a full window is tested against its reference.',
  },
  driftWindowMaxMinutes: {
    env: 'DRIFT_WINDOW_MAX_MINUTES',
    default: 60,
    parse: integer(1, 43_200),
    description:
      'A drift window is also closed this many minutes after its first prediction: tested when it holds DRIFT_MIN_SAMPLES, otherwise recorded as insufficient_samples.',
  },
  driftMinSamples: {
    env: 'DRIFT_MIN_SAMPLES',
    default: 100,
    parse: integer(10, 100_000),
    description: 'Fewest predictions a drift window closed by time needs to be tested (DRIFT_WINDOW_SIZE when that is smaller).',
  },
  driftSources: {
    env: 'DRIFT_SOURCES',
    default: Object.freeze(['sentiment', 'batch', 'job'] as const),
    parse: subsetOf('sentiment', 'batch', 'job'),
    description:
      'Comma-separated prediction sources that count towards drift windows: sentiment (POST /sentiment), batch (POST /batch-sentiment), job (POST /async-sentiment).',
  },
  driftAlpha: {
    env: 'DRIFT_ALPHA',
    default: 0.05,
    parse: decimal(0.0001, 0.5),
    description:
      "Family-wise significance level of a drift window's verdict: drift when any test's Holm-adjusted p-value (over every test of the window) is below it.",
  },
  driftEmbeddingOutput: {
    env: 'DRIFT_EMBEDDING_OUTPUT',
    default: undefined,
    parse: nonEmptyString,
    description:
      'Model output holding the sentence embedding ([batch, dim], or [batch, tokens, dim] whose first token is used). Unset: found by name (sentence_embedding, pooler_output, pooled_output, embeddings, sentence_embeddings, embedding, last_hidden_state).',
  },
  driftHistoryWindows: {
    env: 'DRIFT_HISTORY_WINDOWS',
    default: 100,
    parse: integer(1, 10_000),
    description: 'Past drift windows kept per model version, in the database and in GET /monitoring/drift; older ones are deleted.',
  },
} satisfies { [K in keyof AppConfig]-?: Setting<NonNullable<AppConfig[K]>> };

/** Rules that involve more than one variable: each names the problem, or returns undefined. */
const CROSS_CHECKS: ReadonlyArray<(config: Partial<AppConfig>) => string | undefined> = [
  // Both listeners bind HOST, so the second one would fail with EADDRINUSE; say it before anything starts.
  ({ metricsPort, port }) =>
    metricsPort !== undefined && metricsPort !== 0 && metricsPort === port
      ? `METRICS_PORT: must differ from PORT (both are ${port}); leave METRICS_PORT unset to serve /metrics on PORT`
      : undefined,
];

/** Names, defaults and descriptions of every setting (for documentation and the startup log). */
export const SETTINGS = Object.values(SCHEMA).map(({ env, default: def, description }) => ({
  env,
  default: def,
  description,
}));

/**
 * Validates the whole environment at once and returns the typed configuration; throws InvalidConfigError
 * listing every bad variable.
 */
export function validateEnv(env: RawEnv): AppConfig {
  const problems: string[] = [];
  const config: Record<string, unknown> = {};
  for (const [key, setting] of Object.entries(SCHEMA) as [string, Setting<unknown>][]) {
    const raw = env[setting.env];
    if (raw === undefined || raw.trim() === '') {
      config[key] = setting.default;
      continue;
    }
    const parsed = setting.parse(raw);
    if ('problem' in parsed) problems.push(`${setting.env}: ${parsed.problem}`);
    else config[key] = parsed.value;
  }
  for (const check of CROSS_CHECKS) {
    const problem = check(config as Partial<AppConfig>);
    if (problem) problems.push(problem);
  }
  if (problems.length > 0) throw new InvalidConfigError(problems);
  return Object.freeze(config) as unknown as AppConfig;
}
