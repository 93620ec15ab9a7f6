/**
 * The validated configuration of the service: the only place settings come from. Built once from the
 * environment by `validateEnv` (env.schema.ts) and injected by this class token:
 * `constructor(private readonly config: AppConfig)`.
 */
export abstract class AppConfig {
  /** MODEL_DIR: absolute path of the model directory to serve. */
  readonly modelDir: string;
  /** PORT: TCP port to listen on (0 picks a free port). */
  readonly port: number;
  /** HOST: interface to bind. */
  readonly host: string;
  /** MAX_BATCH_TEXTS: most texts accepted by one POST /batch-sentiment. */
  readonly maxBatchTexts: number;
  /** MAX_TEXT_CHARS: longest accepted text, in Unicode characters (code points). */
  readonly maxTextChars: number;
  /** BODY_LIMIT_BYTES: largest accepted request body. */
  readonly bodyLimitBytes: number;
  /** ENGINE_INTRA_OP_THREADS: ONNX Runtime intra-op threads; undefined lets the engine choose (all cores). */
  readonly engineIntraOpThreads?: number;
  /** ENGINE_MAX_BATCH_SIZE: most texts in one batch; undefined: the engine's default. */
  readonly engineMaxBatchSize?: number;
  /** ENGINE_MAX_WAIT_MS: how long the oldest queued text waits for its batch to fill; undefined: the engine's default. */
  readonly engineMaxWaitMs?: number;
  /** ENGINE_QUEUE_CAPACITY: texts waiting before requests get 429 OVERLOADED; undefined: the engine's default. */
  readonly engineQueueCapacity?: number;
  /** ENGINE_RUNNERS: batches computed at the same time; undefined: the engine's default. */
  readonly engineRunners?: number;
  /** ENGINE_THREAD_NICENESS: nice levels the engine's threads run below the event loop (default 2; 0: the same priority). */
  readonly engineThreadNiceness: number;
  /** ENGINE_CACHE_SIZE: classification results kept in the LRU cache (0 turns it off); undefined: the engine's default. */
  readonly engineCacheSize?: number;
  /** ENGINE_DEVICE: 'cpu', 'cuda' or 'auto'; undefined: the engine's default (cpu). */
  readonly engineDevice?: 'cpu' | 'cuda' | 'auto';
  /** ENGINE_SHARED_THREADS: engines run on one process-wide ONNX Runtime thread pool (unless ENGINE_INTRA_OP_THREADS is set). */
  readonly engineSharedThreads: boolean;
  /** DATA_DIR: absolute path of the directory holding the SQLite database. */
  readonly dataDir: string;
  /** DB_SYNCHRONOUS: SQLite's synchronous pragma. */
  readonly dbSynchronous: 'normal' | 'full';
  /** DATABASE_URL: PostgreSQL connection URL; undefined: the embedded SQLite database in DATA_DIR. */
  readonly databaseUrl?: string;
  /** DATABASE_POOL_SIZE: most PostgreSQL connections of this replica's pool. */
  readonly databasePoolSize: number;
  /** DATABASE_CONNECT_TIMEOUT_MS: connect / pool-wait timeout for PostgreSQL. */
  readonly databaseConnectTimeoutMs: number;
  /** LOG_LEVEL: least severe level logged. */
  readonly logLevel: LogLevel;
  /** MODEL_VERSION: version reported with predictions; undefined: derived from the model's files. */
  readonly modelVersion?: string;
  /** ADMIN_TOKEN: bearer token of the admin routes (model management, drift reference); undefined: those routes are off. */
  readonly adminToken?: string;
  /** MODEL_REPOSITORY: absolute path of the model registry; undefined: <DATA_DIR>/models. */
  readonly modelRepository?: string;
  /** MODEL_IMPORT_ROOT: the only directory model directories may be imported from over HTTP; undefined: imports refused. */
  readonly modelImportRoot?: string;
  /** MODEL_MIN_ACCURACY: accuracy floor on a version's validation.jsonl before it takes traffic. */
  readonly modelMinAccuracy: number;
  /** MODEL_RECONCILE_SECONDS: with PostgreSQL, period of the reconcile of this replica's served roles with the database's. */
  readonly modelReconcileSeconds: number;
  /** SHADOW_QUEUE_CAPACITY: texts waiting for the shadow version before sampled texts are dropped. */
  readonly shadowQueueCapacity: number;
  /** PREDICTION_LOG_INPUT: what the prediction log keeps of each input text. */
  readonly predictionLogInput: 'full' | 'hash' | 'none';
  /** PREDICTION_LOG_RETENTION_DAYS: days predictions are kept; 0 keeps them forever. */
  readonly predictionLogRetentionDays: number;
  /** MONITOR_WINDOW_MINUTES: length of a performance-monitoring window. */
  readonly monitorWindowMinutes: number;
  /** MONITOR_MIN_SAMPLES: labelled predictions a window needs to set a baseline or flag degradation. */
  readonly monitorMinSamples: number;
  /** MONITOR_DEGRADATION_THRESHOLD: relative weighted-F1 drop below the baseline that flags degradation. */
  readonly monitorDegradationThreshold: number;
  /** MONITOR_HISTORY_WINDOWS: past windows kept and reported besides the current one. */
  readonly monitorHistoryWindows: number;
  /** MONITOR_REFRESH_SECONDS: on PostgreSQL, how often the monitoring windows are reloaded from the shared store. */
  readonly monitorRefreshSeconds: number;
  /** METRICS_PORT: port of a separate listener serving only /metrics; undefined serves /metrics on PORT. */
  readonly metricsPort?: number;
  /** READY_MAX_QUEUE_RATIO: readiness fails while the engine queue holds at least this share of its capacity. */
  readonly readyMaxQueueRatio: number;
  /** SHUTDOWN_GRACE_MS: after SIGTERM, how long readiness answers 503 before the HTTP server stops accepting. */
  readonly shutdownGraceMs: number;
  /** JOB_MAX_TEXTS: most texts accepted by one POST /async-sentiment. */
  readonly jobMaxTexts: number;
  /** JOB_CHUNK_SIZE: texts per engine call (and per committed transaction) when a job runs. */
  readonly jobChunkSize: number;
  /** JOB_WORKERS: job chunks classified at the same time. */
  readonly jobWorkers: number;
  /** JOB_PAGE_SIZE: results per page of GET /job/:id when no limit is given. */
  readonly jobPageSize: number;
  /** JOB_RETENTION_HOURS: hours finished jobs are kept; 0 keeps them forever. */
  readonly jobRetentionHours: number;
  /** JOB_SHUTDOWN_TIMEOUT_MS: how long shutdown waits for in-flight job chunks to commit. */
  readonly jobShutdownTimeoutMs: number;
  /** JOB_POLL_INTERVAL_MS: how often idle workers look for work other replicas accepted (PostgreSQL only). */
  readonly jobPollIntervalMs: number;
  /** JOB_LEASE_SECONDS: how long a claimed chunk stays its worker's without a renewal. */
  readonly jobLeaseSeconds: number;
  /** DRIFT_ENABLED: drift detection on live predictions (and the engine's feature capture it needs). */
  readonly driftEnabled: boolean;
  /** DRIFT_WINDOW_SIZE: predictions per tumbling drift window. */
  readonly driftWindowSize: number;
  /** DRIFT_WINDOW_MAX_MINUTES: a window holding DRIFT_MIN_SAMPLES is also closed after this many minutes. */
  readonly driftWindowMaxMinutes: number;
  /** DRIFT_MIN_SAMPLES: fewest predictions a window needs to be tested. */
  readonly driftMinSamples: number;
  /** DRIFT_SOURCES: which prediction sources count towards drift windows. */
  readonly driftSources: readonly ('sentiment' | 'batch' | 'job')[];
  /** DRIFT_ALPHA: family-wise significance level of a window's verdict (Holm over all its tests). */
  readonly driftAlpha: number;
  /** DRIFT_EMBEDDING_OUTPUT: the model output holding the sentence embedding; undefined finds one by name. */
  readonly driftEmbeddingOutput?: string;
  /** DRIFT_HISTORY_WINDOWS: past windows kept per model version (in the database and the report). */
  readonly driftHistoryWindows: number;
}

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/** The key under which @nestjs/config's ConfigService holds the same object (`config.get('app')`). */
export const APP_CONFIG_NAMESPACE = 'app';
