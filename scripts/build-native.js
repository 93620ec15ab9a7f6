'use strict';
/**
 * Builds the native addon (runs as the package's `install` step, so `npm ci` builds it).
 *
 * 0. refuses a Node.js the project does not support (scripts/node-runtime.js says why), before anything else;
 * 1. build-time headers from Debian's packages (scripts/native-deps.js), and the Unicode tables generated from
 *    them (scripts/generate-unicode-tables.js);
 * 2. the ONNX Runtime shared library: the prebuilt one inside the `onnxruntime-node` npm package, or
 *    $ONNXRUNTIME_ROOT/lib when that is set;
 * 3. cmake-js compiles native/ into build/Release/classifier_engine.node, with the library copied beside it.
 *
 * NATIVE_DEBUG=1 builds with debug info; NATIVE_SANITIZE=address,undefined builds with sanitizers.
 */
const { spawnSync } = require('node:child_process');
const { ensureNativeDeps } = require('./native-deps');
const { generateUnicodeTables } = require('./generate-unicode-tables');
const { ROOT, DEPS_DIR, onnxRuntimeIncludeDir, onnxRuntimeLibDir } = require('./native-paths');
const { unsupportedNodeReason } = require('./node-runtime');

function main() {
  const unsupported = unsupportedNodeReason();
  if (unsupported) {
    process.stderr.write(`[build-native] ${unsupported}\n`);
    process.exit(1);
  }
  ensureNativeDeps();
  const generatedDir = generateUnicodeTables();
  const cmakeJs = require.resolve('cmake-js/bin/cmake-js', { paths: [ROOT] });
  const args = [
    cmakeJs,
    'compile',
    '--log-level', 'warn',
    `--CDDEPS_DIR=${DEPS_DIR}`,
    `--CDGENERATED_DIR=${generatedDir}`,
    `--CDONNXRUNTIME_INCLUDE_DIR=${onnxRuntimeIncludeDir()}`,
    `--CDONNXRUNTIME_LIB_DIR=${onnxRuntimeLibDir()}`,
  ];
  if (process.env.NATIVE_DEBUG === '1') args.push('--debug');
  if (process.env.NATIVE_SANITIZE) args.push(`--CDSANITIZE=${process.env.NATIVE_SANITIZE}`);
  const result = spawnSync(process.execPath, args, { cwd: ROOT, stdio: 'inherit' });
  if (result.status !== 0) {
    process.stderr.write('[build-native] the native build failed; see the compiler output above.\n');
    process.exit(result.status ?? 1);
  }
}

main();
