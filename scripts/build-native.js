'use strict';
/**
 * Builds the native addon (runs as the package's `install` step, so `npm ci` builds it).
 *
 * 1. build-time headers from Debian's packages (scripts/native-deps.js);
 * 2. the ONNX Runtime shared library: the prebuilt one inside the `onnxruntime-node` npm package, or
 *    $ONNXRUNTIME_ROOT/lib when that is set;
 * 3. cmake-js compiles native/ into build/Release/classifier_engine.node, with the library copied beside it.
 */
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { ensureNativeDeps } = require('./native-deps');

const ROOT = path.resolve(__dirname, '..');

/** The directory holding libonnxruntime.so.* for this platform. */
function onnxRuntimeLibDir() {
  if (process.env.ONNXRUNTIME_ROOT) return path.join(process.env.ONNXRUNTIME_ROOT, 'lib');
  const pkg = path.dirname(require.resolve('onnxruntime-node/package.json', { paths: [ROOT] }));
  const dir = path.join(pkg, 'bin', 'napi-v6', process.platform, process.arch);
  if (!fs.existsSync(dir)) {
    throw new Error(`onnxruntime-node ships no library for ${process.platform}/${process.arch} (looked in ${dir})`);
  }
  return dir;
}

function main() {
  const { depsDir } = ensureNativeDeps();
  const ortInclude = process.env.ONNXRUNTIME_ROOT
    ? path.join(process.env.ONNXRUNTIME_ROOT, 'include')
    : path.join(depsDir, 'include', 'onnxruntime');
  const cmakeJs = require.resolve('cmake-js/bin/cmake-js', { paths: [ROOT] });
  const debug = process.env.NATIVE_DEBUG === '1';
  const args = [
    cmakeJs,
    'compile',
    '--log-level', 'warn',
    `--CDDEPS_DIR=${depsDir}`,
    `--CDONNXRUNTIME_INCLUDE_DIR=${ortInclude}`,
    `--CDONNXRUNTIME_LIB_DIR=${onnxRuntimeLibDir()}`,
  ];
  if (debug) args.push('--debug');
  if (process.env.NATIVE_SANITIZE) args.push(`--CDSANITIZE=${process.env.NATIVE_SANITIZE}`);
  const result = spawnSync(process.execPath, args, { cwd: ROOT, stdio: 'inherit' });
  if (result.status !== 0) {
    process.stderr.write('[build-native] the native build failed; see the compiler output above.\n');
    process.exit(result.status ?? 1);
  }
}

main();
