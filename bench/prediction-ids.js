'use strict';
/**
 * Why prediction ids are time-ordered (UUID version 7): the CPU time per record of the prediction log's real
 * insert (SqlitePredictionStore.insertAll from the compiled dist/, one transaction per group as the group commit makes
 * them) with random version-4 ids against version-7 ids, after the table already holds --rows records.
 * The two alternate, each in a fresh database; medians of --repeats. Compile first (npm run build).
 *
 * Usage: node bench/prediction-ids.js [--rows 60000] [--measure 30000] [--group 30] [--repeats 3]
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { randomUUID } = require('node:crypto');
const { benchOptions } = require('./options');

const DIST = path.join(__dirname, '..', 'dist');
const MODULES = ['config/env.schema.js', 'database/sqlite-database.js', 'predictions/sqlite-prediction.store.js', 'predictions/prediction-id.js'];
for (const file of MODULES) {
  if (!fs.existsSync(path.join(DIST, file))) throw new Error(`dist/${file} not found: compile first (npm run build)`);
}
const { validateEnv } = require(path.join(DIST, 'config/env.schema.js'));
const { SqliteDatabase } = require(path.join(DIST, 'database/sqlite-database.js'));
const { SqlitePredictionStore } = require(path.join(DIST, 'predictions/sqlite-prediction.store.js'));
const { newPredictionId } = require(path.join(DIST, 'predictions/prediction-id.js'));
// The database's open and close lines are not the benchmark's output.
require('@nestjs/common').Logger.overrideLogger(false);

function parseArgs() {
  return benchOptions({ rows: 60000, measure: 30000, group: 30, repeats: 3 });
}

function record(id) {
  return {
    id,
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

/** CPU µs per record of inserting `measure` records in groups, after `rows` records. */
function run(makeId, { rows, measure, group }) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-prediction-ids-'));
  const database = new SqliteDatabase(validateEnv({ DATA_DIR: dataDir, DB_SYNCHRONOUS: 'normal' }));
  try {
    const store = new SqlitePredictionStore(database);
    const insertGroups = (count) => {
      for (let done = 0; done < count; done += group) store.insertAll(Array.from({ length: group }, () => record(makeId())));
    };
    insertGroups(rows);
    const started = process.cpuUsage();
    insertGroups(measure);
    const used = process.cpuUsage(started);
    return (used.user + used.system) / measure;
  } finally {
    database.onApplicationShutdown();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

function main() {
  const args = parseArgs();
  const results = { 'version 4 (random)': [], 'version 7 (time-ordered)': [] };
  for (let i = 0; i < args.repeats; i++) {
    results['version 4 (random)'].push(run(randomUUID, args));
    results['version 7 (time-ordered)'].push(run(newPredictionId, args));
  }
  console.log(`prediction log inserts, groups of ${args.group}, measured from ${args.rows} to ${args.rows + args.measure} records; medians of ${args.repeats}`);
  for (const [name, values] of Object.entries(results)) {
    console.log(`  ${name.padEnd(26)} ${median(values).toFixed(1)} µs CPU per record   (runs: ${values.map((v) => v.toFixed(1)).join(', ')})`);
  }
}

main();
