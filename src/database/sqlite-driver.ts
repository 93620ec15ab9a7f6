import type BetterSqlite3 from 'better-sqlite3';

/**
 * The SQLite driver for the running Node.js. better-sqlite3 13 is a Node-API addon that needs Node-API 10
 * (Node 22.14 and later) and ships prebuilt binaries; on an older Node it does not fail cleanly, it segfaults. Its
 * predecessor, 12, compiles against the running Node's own headers and on Node 24.19+ can abort the process when the
 * garbage collector finalises a statement outside a V8 context (docs/development.md, "Node.js lines"). So each Node
 * gets the major that is safe on it: 13 where Node-API 10 exists, 12 (installed under the alias
 * `better-sqlite3-node20`, an optional dependency) on Node 20, which is past end of life and kept only while that
 * costs this one file. The two majors share the API this project uses.
 */
export const REQUIRED_NODE_API_FOR_13 = 10;

function load(): typeof BetterSqlite3 {
  if (Number(process.versions.napi) >= REQUIRED_NODE_API_FOR_13) return require('better-sqlite3') as typeof BetterSqlite3;
  try {
    return require('better-sqlite3-node20') as typeof BetterSqlite3;
  } catch (error) {
    throw new Error(
      `Node.js v${process.versions.node} (Node-API ${process.versions.napi}) needs better-sqlite3 12, installed as the ` +
        `optional dependency better-sqlite3-node20, and it could not be loaded: ${(error as Error).message}. ` +
        'Reinstall with `npm ci` on this Node, or use Node 22.14 or later.',
    );
  }
}

/** better-sqlite3's Database constructor (and its SqliteError), for the running Node. */
export const Sqlite: typeof BetterSqlite3 = load();
