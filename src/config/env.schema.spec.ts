import { resolve } from 'node:path';
import { InvalidConfigError, validateEnv } from './env.schema';
import { DEFAULT_MODEL_DIR, PROJECT_ROOT } from './paths';

describe('validateEnv', () => {
  it('gives every default for an empty environment', () => {
    expect(validateEnv({})).toEqual({
      modelDir: DEFAULT_MODEL_DIR,
      port: 8000,
      host: '0.0.0.0',
      maxBatchTexts: 64,
      maxTextChars: 10_000,
      bodyLimitBytes: 1024 * 1024,
      engineIntraOpThreads: undefined,
      dataDir: resolve(process.cwd(), 'data'),
      dbSynchronous: 'normal',
      databasePoolSize: 10,
      databaseConnectTimeoutMs: 5000,
      logLevel: 'info',
      modelVersion: undefined,
      predictionLogInput: 'hash',
      predictionLogRetentionDays: 30,
      monitorWindowMinutes: 60,
      monitorMinSamples: 30,
      monitorDegradationThreshold: 0.05,
      monitorHistoryWindows: 24,
      monitorRefreshSeconds: 30,
      metricsPort: undefined,
      readyMaxQueueRatio: 0.9,
      shutdownGraceMs: 5000,
      jobMaxTexts: 10_000,
      jobChunkSize: 64,
      jobWorkers: 2,
      jobPageSize: 100,
      jobRetentionHours: 168,
      jobShutdownTimeoutMs: 10_000,
      jobPollIntervalMs: 500,
      jobLeaseSeconds: 30,
      driftEnabled: true,
      driftWindowSize: 1000,
      driftWindowMaxMinutes: 60,
      driftMinSamples: 100,
      driftSources: ['sentiment', 'batch', 'job'],
      driftAlpha: 0.05,
      driftEmbeddingOutput: undefined,
      driftHistoryWindows: 100,
      engineSharedThreads: true,
      engineThreadNiceness: 2,
      modelMinAccuracy: 0.7,
      modelReconcileSeconds: 10,
      shadowQueueCapacity: 256,
    });
  });

  it('resolves the default model directory from the project root', () => {
    expect(DEFAULT_MODEL_DIR).toBe(resolve(PROJECT_ROOT, 'models', 'demo-sentiment'));
    expect(resolve(__dirname, '..', '..')).toBe(PROJECT_ROOT);
  });

  it('reads every variable', () => {
    const config = validateEnv({
      MODEL_DIR: '/srv/model',
      PORT: '0',
      HOST: '127.0.0.1',
      MAX_BATCH_TEXTS: '8',
      MAX_TEXT_CHARS: '100',
      BODY_LIMIT_BYTES: '4096',
      ENGINE_INTRA_OP_THREADS: '2',
      DATA_DIR: '/var/lib/classifier',
      DB_SYNCHRONOUS: 'full',
      DATABASE_URL: 'postgres://app:secret@db.internal:5432/classifier',
      DATABASE_POOL_SIZE: '20',
      DATABASE_CONNECT_TIMEOUT_MS: '2500',
      LOG_LEVEL: 'debug',
      MODEL_VERSION: 'sst2-v7',
      PREDICTION_LOG_INPUT: 'none',
      PREDICTION_LOG_RETENTION_DAYS: '0',
      MONITOR_WINDOW_MINUTES: '15',
      MONITOR_MIN_SAMPLES: '100',
      MONITOR_DEGRADATION_THRESHOLD: '0.1',
      MONITOR_HISTORY_WINDOWS: '96',
      MONITOR_REFRESH_SECONDS: '5',
      METRICS_PORT: '9464',
      READY_MAX_QUEUE_RATIO: '0.75',
      SHUTDOWN_GRACE_MS: '0',
      JOB_MAX_TEXTS: '500',
      JOB_CHUNK_SIZE: '8',
      JOB_WORKERS: '3',
      JOB_PAGE_SIZE: '1000',
      JOB_RETENTION_HOURS: '0',
      JOB_SHUTDOWN_TIMEOUT_MS: '0',
      JOB_POLL_INTERVAL_MS: '250',
      JOB_LEASE_SECONDS: '10',
      DRIFT_ENABLED: 'false',
      DRIFT_WINDOW_SIZE: '500',
      DRIFT_WINDOW_MAX_MINUTES: '10',
      DRIFT_MIN_SAMPLES: '50',
      DRIFT_SOURCES: 'batch, job',
      DRIFT_ALPHA: '0.01',
      DRIFT_EMBEDDING_OUTPUT: 'pooler_output',
      DRIFT_HISTORY_WINDOWS: '20',
      ENGINE_SHARED_THREADS: 'false',
      ENGINE_THREAD_NICENESS: '3',
      MODEL_REPOSITORY: '/var/lib/classifier/registry',
      MODEL_IMPORT_ROOT: '/srv/imports',
      MODEL_MIN_ACCURACY: '0.85',
      SHADOW_QUEUE_CAPACITY: '32',
    });
    expect(config).toEqual({
      modelDir: '/srv/model',
      port: 0,
      host: '127.0.0.1',
      maxBatchTexts: 8,
      maxTextChars: 100,
      bodyLimitBytes: 4096,
      engineIntraOpThreads: 2,
      dataDir: '/var/lib/classifier',
      dbSynchronous: 'full',
      databaseUrl: 'postgres://app:secret@db.internal:5432/classifier',
      databasePoolSize: 20,
      databaseConnectTimeoutMs: 2500,
      logLevel: 'debug',
      modelVersion: 'sst2-v7',
      predictionLogInput: 'none',
      predictionLogRetentionDays: 0,
      monitorWindowMinutes: 15,
      monitorMinSamples: 100,
      monitorDegradationThreshold: 0.1,
      monitorHistoryWindows: 96,
      monitorRefreshSeconds: 5,
      metricsPort: 9464,
      readyMaxQueueRatio: 0.75,
      shutdownGraceMs: 0,
      jobMaxTexts: 500,
      jobChunkSize: 8,
      jobWorkers: 3,
      jobPageSize: 1000,
      jobRetentionHours: 0,
      jobShutdownTimeoutMs: 0,
      jobPollIntervalMs: 250,
      jobLeaseSeconds: 10,
      driftEnabled: false,
      driftWindowSize: 500,
      driftWindowMaxMinutes: 10,
      driftMinSamples: 50,
      driftSources: ['batch', 'job'],
      driftAlpha: 0.01,
      driftEmbeddingOutput: 'pooler_output',
      driftHistoryWindows: 20,
      engineSharedThreads: false,
      engineThreadNiceness: 3,
      modelRepository: '/var/lib/classifier/registry',
      modelImportRoot: '/srv/imports',
      modelMinAccuracy: 0.85,
      modelReconcileSeconds: 10,
      shadowQueueCapacity: 32,
    });
  });

  it('rejects drift settings that are not what they should be, naming each', () => {
    expect(() => validateEnv({ DRIFT_ENABLED: 'yes', DRIFT_SOURCES: 'batch,web', DRIFT_ALPHA: '0.9' })).toThrow(
      expect.objectContaining({
        problems: [
          'DRIFT_ENABLED: expected true or false but received "yes"',
          'DRIFT_SOURCES: expected a comma-separated list of sentiment, batch, job but received "batch,web"',
          'DRIFT_ALPHA: expected a number between 0.0001 and 0.5 but received "0.9"',
        ],
      }),
    );
    expect(validateEnv({ DRIFT_ENABLED: '0', DRIFT_SOURCES: 'job,job' })).toMatchObject({ driftEnabled: false, driftSources: ['job'] });
  });

  it('reads ENGINE_SHARED_THREADS as a boolean and names a bad value', () => {
    expect(validateEnv({ ENGINE_SHARED_THREADS: 'TRUE' }).engineSharedThreads).toBe(true);
    expect(validateEnv({ ENGINE_SHARED_THREADS: '0' }).engineSharedThreads).toBe(false);
    expect(() => validateEnv({ ENGINE_SHARED_THREADS: 'yes' })).toThrow('ENGINE_SHARED_THREADS: expected true or false but received "yes"');
  });

  it('resolves a relative MODEL_DIR against the working directory', () => {
    expect(validateEnv({ MODEL_DIR: 'models/x' }).modelDir).toBe(resolve(process.cwd(), 'models/x'));
  });

  it('treats empty variables as unset', () => {
    expect(validateEnv({ PORT: '', ENGINE_INTRA_OP_THREADS: ' ' })).toMatchObject({ port: 8000, engineIntraOpThreads: undefined });
  });

  it('lists every bad variable at once', () => {
    let error: unknown;
    try {
      validateEnv({ PORT: '80a', MAX_BATCH_TEXTS: '0', BODY_LIMIT_BYTES: '-1', ENGINE_INTRA_OP_THREADS: '1.5', MAX_TEXT_CHARS: '10' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidConfigError);
    const { problems, message } = error as InvalidConfigError;
    expect(problems).toEqual([
      'PORT: expected an integer between 0 and 65535 but received "80a"',
      'MAX_BATCH_TEXTS: expected an integer between 1 and 100000 but received "0"',
      'BODY_LIMIT_BYTES: expected an integer between 1024 and 1073741824 but received "-1"',
      'ENGINE_INTRA_OP_THREADS: expected an integer between 1 and 1024 but received "1.5"',
    ]);
    for (const problem of problems) expect(message).toContain(problem);
  });

  it.each([
    ['MONITOR_WINDOW_MINUTES', '0', 'expected an integer between 1 and 43200 but received "0"'],
    ['MONITOR_MIN_SAMPLES', '2.5', 'expected an integer between 1 and 10000000 but received "2.5"'],
    ['MONITOR_DEGRADATION_THRESHOLD', '5%', 'expected a number between 0 and 1 but received "5%"'],
    ['MONITOR_DEGRADATION_THRESHOLD', '1.5', 'expected a number between 0 and 1 but received "1.5"'],
    ['MONITOR_HISTORY_WINDOWS', '1001', 'expected an integer between 1 and 1000 but received "1001"'],
  ])('rejects %s=%s', (env, raw, problem) => {
    expect(() => validateEnv({ [env]: raw })).toThrow(`${env}: ${problem}`);
  });

  it('rejects a METRICS_PORT equal to PORT, which could never be bound', () => {
    expect(() => validateEnv({ PORT: '8000', METRICS_PORT: '8000' })).toThrow(
      'METRICS_PORT: must differ from PORT (both are 8000); leave METRICS_PORT unset to serve /metrics on PORT',
    );
    expect(() => validateEnv({ METRICS_PORT: '8000' })).toThrow('METRICS_PORT: must differ from PORT (both are 8000)');
    // Two zeros are two free ports picked by the system.
    expect(validateEnv({ PORT: '0', METRICS_PORT: '0' })).toMatchObject({ port: 0, metricsPort: 0 });
  });

  it.each([
    ['READY_MAX_QUEUE_RATIO', '0', 'READY_MAX_QUEUE_RATIO: expected a number between 0.01 and 1 but received "0"'],
    ['READY_MAX_QUEUE_RATIO', '1.5', 'READY_MAX_QUEUE_RATIO: expected a number between 0.01 and 1 but received "1.5"'],
    ['SHUTDOWN_GRACE_MS', '-1', 'SHUTDOWN_GRACE_MS: expected an integer between 0 and 600000 but received "-1"'],
    ['METRICS_PORT', '70000', 'METRICS_PORT: expected an integer between 0 and 65535 but received "70000"'],
  ])('rejects %s=%s', (env, value, problem) => {
    expect(() => validateEnv({ [env]: value })).toThrow(problem);
  });

  it('rejects job settings outside their ranges', () => {
    expect(() => validateEnv({ JOB_CHUNK_SIZE: '0', JOB_WORKERS: '65', JOB_PAGE_SIZE: '1001', JOB_MAX_TEXTS: 'many' })).toThrow(
      expect.objectContaining({
        problems: [
          'JOB_MAX_TEXTS: expected an integer between 1 and 1000000 but received "many"',
          'JOB_CHUNK_SIZE: expected an integer between 1 and 4096 but received "0"',
          'JOB_WORKERS: expected an integer between 1 and 64 but received "65"',
          'JOB_PAGE_SIZE: expected an integer between 1 and 1000 but received "1001"',
        ],
      }),
    );
  });

  it('rejects out-of-range ports', () => {
    expect(() => validateEnv({ PORT: '65536' })).toThrow('PORT: expected an integer between 0 and 65535 but received "65536"');
  });
});
