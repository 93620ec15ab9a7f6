'use strict';
/**
 * Where the native build finds its inputs; shared by scripts/build-native.js (cmake-js) and binding.gyp
 * (node-gyp calls `node scripts/native-paths.js <what>`), so the two builds cannot drift apart.
 */
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const DEPS_DIR = path.join(ROOT, 'deps');

/** The directory holding libonnxruntime.so.1: $ONNXRUNTIME_ROOT/lib, or onnxruntime-node's prebuilt one. */
function onnxRuntimeLibDir() {
  if (process.env.ONNXRUNTIME_ROOT) return path.join(process.env.ONNXRUNTIME_ROOT, 'lib');
  const pkg = path.dirname(require.resolve('onnxruntime-node/package.json', { paths: [ROOT] }));
  const dir = path.join(pkg, 'bin', 'napi-v6', process.platform, process.arch);
  if (!fs.existsSync(dir)) {
    throw new Error(`onnxruntime-node ships no library for ${process.platform}/${process.arch} (looked in ${dir})`);
  }
  return dir;
}

function onnxRuntimeIncludeDir() {
  if (process.env.ONNXRUNTIME_ROOT) return path.join(process.env.ONNXRUNTIME_ROOT, 'include');
  return path.join(DEPS_DIR, 'include', 'onnxruntime');
}

function onnxRuntimeLibrary() {
  const dir = onnxRuntimeLibDir();
  const name = ['libonnxruntime.so.1', 'libonnxruntime.so'].find((f) => fs.existsSync(path.join(dir, f)));
  if (!name) throw new Error(`no libonnxruntime.so.1 in ${dir}`);
  return path.join(dir, name);
}

/** Execution-provider libraries beside libonnxruntime (CUDA, TensorRT), when onnxruntime-node installed them. */
function onnxRuntimeProviderLibraries() {
  const dir = onnxRuntimeLibDir();
  return fs
    .readdirSync(dir)
    .filter((f) => f.startsWith('libonnxruntime_providers_'))
    .map((f) => path.join(dir, f));
}

/** native/sources.txt, without comments, relative to the project root. */
function nativeSources() {
  return fs
    .readFileSync(path.join(ROOT, 'native', 'sources.txt'), 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
}

module.exports = {
  ROOT,
  DEPS_DIR,
  onnxRuntimeLibDir,
  onnxRuntimeIncludeDir,
  onnxRuntimeLibrary,
  onnxRuntimeProviderLibraries,
  nativeSources,
};

if (require.main === module) {
  const what = process.argv[2];
  const answers = {
    sources: () => nativeSources().join(' '),
    'deps-dir': () => DEPS_DIR,
    'ort-include': onnxRuntimeIncludeDir,
    'ort-library': onnxRuntimeLibrary,
    'ort-providers': () => onnxRuntimeProviderLibraries().join(' '),
  };
  if (!answers[what]) {
    process.stderr.write(`usage: native-paths.js ${Object.keys(answers).join('|')}\n`);
    process.exit(2);
  }
  process.stdout.write(answers[what]());
}
