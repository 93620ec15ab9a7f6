'use strict';
/**
 * What the job store costs per text, and whether replicas sharing one PostgreSQL split a job's work: a job of
 * --texts texts is run to completion by 1, 2 and 4 JobRunners on one PostgreSQL database (each runner its own
 * pool, stores and owner, as separate replicas would be), and by one runner on SQLite for comparison. The engine is
 * a stub that answers at once, so the figure is the store's claim + commit (results, progress, prediction-log
 * records) and the runner's bookkeeping, not inference. All runners share this one process and its event loop: the
 * replica figures show that claims do not serialise on the database, not what separate machines would reach.
 * Medians of --repeats, each in a fresh database. Compile first (npm run build).
 *
 * PostgreSQL: BENCH_POSTGRES_URL (a server whose maintenance database may create databases), else a throw-away
 * throw-away server (scripts/throwaway-postgres.js, as the test suite's) with fsync off, as in the tests.
 *
 * Usage: node bench/jobs-replicas.js [--texts 20000] [--chunk 64] [--workers 2] [--repeats 3]
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { randomBytes } = require('node:crypto');
const { benchOptions } = require('./options');
const { Client } = require('pg');

const DIST = path.join(__dirname, '..', 'dist');
const need = ['config/env.schema.js', 'database/postgres-database.js', 'database/sqlite-database.js', 'jobs/postgres-job.store.js', 'jobs/job-runner.js'];
for (const file of need) {
  if (!fs.existsSync(path.join(DIST, file))) throw new Error(`dist/${file} not found: compile first (npm run build)`);
}
const { Logger } = require('@nestjs/common');
const { validateEnv } = require(path.join(DIST, 'config/env.schema.js'));
const { PostgresDatabase } = require(path.join(DIST, 'database/postgres-database.js'));
const { SqliteDatabase } = require(path.join(DIST, 'database/sqlite-database.js'));
const { PostgresJobStore } = require(path.join(DIST, 'jobs/postgres-job.store.js'));
const { SqliteJobStore } = require(path.join(DIST, 'jobs/sqlite-job.store.js'));
const { JobRunner } = require(path.join(DIST, 'jobs/job-runner.js'));
const { JobsService } = require(path.join(DIST, 'jobs/jobs.service.js'));
const { PostgresPredictionStore } = require(path.join(DIST, 'predictions/postgres-prediction.store.js'));
const { SqlitePredictionStore } = require(path.join(DIST, 'predictions/sqlite-prediction.store.js'));
const { PredictionLogService } = require(path.join(DIST, 'predictions/prediction-log.service.js'));

function parseArgs() {
  return benchOptions({ texts: 20000, chunk: 64, workers: 2, repeats: 3 });
}

/** An engine that answers at once: the measured time is the jobs' own. */
const stubEngine = {
  stats: () => undefined,
  classifyRouted: async (texts) => ({
    version: 'stub@000000000000',
    results: texts.map((t) => ({ label: t.length % 2 ? 'POSITIVE' : 'NEGATIVE', score: 0.9, scores: { NEGATIVE: 0.1, POSITIVE: 0.9 } })),
  }),
};

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function withClient(url, work) {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

async function startPostgres() {
  if (process.env.BENCH_POSTGRES_URL) return { url: process.env.BENCH_POSTGRES_URL, stop: async () => undefined };
  const { startThrowawayPostgres } = require('../scripts/throwaway-postgres');
  return startThrowawayPostgres({ fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off' });
}

function config(args, extra) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-jobs-'));
  return {
    dataDir,
    config: {
      ...validateEnv({
        DATA_DIR: dataDir,
        JOB_CHUNK_SIZE: String(args.chunk),
        JOB_WORKERS: String(args.workers),
        JOB_MAX_TEXTS: String(args.texts),
        JOB_POLL_INTERVAL_MS: '20',
        PREDICTION_LOG_INPUT: 'hash',
      }),
      ...extra,
    },
  };
}

/** One replica: its own pool, stores and runner on the database. */
async function postgresReplica(args, url) {
  const { config: cfg, dataDir } = config(args, { databaseUrl: url });
  const database = new PostgresDatabase(cfg);
  const predictionStore = new PostgresPredictionStore(database);
  const store = new PostgresJobStore(database);
  const runner = new JobRunner(store, stubEngine, new PredictionLogService(predictionStore, cfg), cfg);
  const jobs = new JobsService(store, runner, cfg);
  await database.onModuleInit();
  await predictionStore.partitions();
  return {
    jobs,
    runner,
    close: async () => {
      await runner.beforeApplicationShutdown();
      predictionStore.onApplicationShutdown();
      await database.onApplicationShutdown();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

function sqliteReplica(args) {
  const { config: cfg, dataDir } = config(args, {});
  const database = new SqliteDatabase(cfg);
  const store = new SqliteJobStore(database);
  const runner = new JobRunner(store, stubEngine, new PredictionLogService(new SqlitePredictionStore(database), cfg), cfg);
  const jobs = new JobsService(store, runner, cfg);
  return {
    jobs,
    runner,
    close: async () => {
      await runner.beforeApplicationShutdown();
      database.onApplicationShutdown();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Submits one job on the first replica, starts every runner, and times the job until it completes. */
async function runJob(replicas, texts) {
  const { job_id } = await replicas[0].jobs.submit(texts);
  const started = process.hrtime.bigint();
  for (const replica of replicas) replica.runner.start();
  for (;;) {
    const job = await replicas[0].jobs.get(job_id, { limit: 1 });
    if (job.status === 'completed') break;
    if (job.status === 'failed') throw new Error(`the job failed: ${JSON.stringify(job.error)}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return Number(process.hrtime.bigint() - started) / 1e6;
}

async function main() {
  const args = parseArgs();
  Logger.overrideLogger(['error']);
  const texts = Array.from({ length: args.texts }, (_, i) => `Review ${i}: the film was ${i % 3 ? 'dull and far too long' : 'wonderful'}.`);
  const pg = await startPostgres();
  const rows = [];
  try {
    const cases = [
      { name: 'SQLite, 1 runner', open: async () => [sqliteReplica(args)] },
      ...[1, 2, 4].map((count) => ({ name: `PostgreSQL, ${count} replica(s)`, count })),
    ];
    for (const c of cases) {
      const times = [];
      for (let r = 0; r < args.repeats; r++) {
        let drop = async () => undefined;
        let replicas;
        if (c.open) replicas = await c.open();
        else {
          const name = `bench_${randomBytes(5).toString('hex')}`;
          await withClient(pg.url, (client) => client.query(`CREATE DATABASE ${name}`));
          const url = new URL(pg.url);
          url.pathname = `/${name}`;
          replicas = [];
          for (let i = 0; i < c.count; i++) replicas.push(await postgresReplica(args, url.toString()));
          drop = () => withClient(pg.url, (client) => client.query(`DROP DATABASE ${name} WITH (FORCE)`));
        }
        try {
          times.push(await runJob(replicas, texts));
        } finally {
          for (const replica of replicas) await replica.close();
          await drop();
        }
      }
      const ms = median(times);
      rows.push({ case: c.name, ms, textsPerSecond: Math.round((args.texts / ms) * 1000), runs: times.map((t) => Math.round(t)) });
      console.log(`${c.name}: median ${Math.round(ms)} ms for ${args.texts} texts (${rows.at(-1).textsPerSecond} texts/s); runs ${rows.at(-1).runs.join(', ')} ms`);
    }
  } finally {
    await pg.stop();
  }
  console.log(JSON.stringify({ args, node: process.version, cpus: os.cpus().length, rows }, null, 2));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
