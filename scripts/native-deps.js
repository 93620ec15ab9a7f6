'use strict';
/**
 * Build-time inputs of the native addon, from Debian's packages: headers, utf8proc's static library,
 * Oniguruma's shared library and the Unicode Character Database files that tables are generated from.
 *
 * Nothing third-party is committed: on first build, each package below is fetched with `apt-get download`
 * against a temporary sources list for one suite (default trixie, the first with libonnxruntime-dev), using the
 * mirror this machine's own apt configuration names, and unpacked with `dpkg -x` into the git-ignored `deps/`.
 * No root is needed and nothing is installed system-wide.
 *
 * Overrides:
 *   ONNXRUNTIME_ROOT        an official ONNX Runtime release tree (include/, lib/): its headers and library win.
 *   NATIVE_DEPS_SUITE       the Debian suite to fetch from (default: trixie; a package may pin its own).
 *   NATIVE_DEPS_MIRROR      the Debian mirror URL (default: the first one in /etc/apt/sources.list*).
 * When a package cannot be fetched but the same files are installed system-wide (apt-get install ...), those
 * are used instead.
 */
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { DEPS_DIR: DEPS } = require('./native-paths');

/** What the build needs from each package, as paths inside the package → paths under deps/. */
const PACKAGES = [
  {
    name: 'libonnxruntime-dev',
    files: [['usr/include/onnxruntime', 'include/onnxruntime']],
    system: ['/usr/include/onnxruntime/onnxruntime_c_api.h'],
    skipWhen: () => Boolean(process.env.ONNXRUNTIME_ROOT),
  },
  {
    name: 'nlohmann-json3-dev',
    files: [['usr/include/nlohmann', 'include/nlohmann']],
    system: ['/usr/include/nlohmann/json.hpp'],
  },
  {
    name: 'libutf8proc-dev',
    files: [
      ['usr/include/utf8proc.h', 'include/utf8proc.h'],
      ['usr/lib/{multiarch}/libutf8proc.a', 'lib/libutf8proc.a'],
    ],
    system: ['/usr/include/utf8proc.h', '/usr/lib/{multiarch}/libutf8proc.a'],
  },
  // Oniguruma, the regex engine Hugging Face tokenizers itself uses (its onig crate bundles 6.9.8, which is
  // bookworm's version), so ByteLevel and Split patterns match exactly. Debian ships it shared only: the
  // library is copied beside the addon like ONNX Runtime.
  {
    name: 'libonig-dev',
    suite: 'bookworm',
    files: [['usr/include/oniguruma.h', 'include/oniguruma.h']],
    system: ['/usr/include/oniguruma.h'],
  },
  {
    name: 'libonig5',
    suite: 'bookworm',
    files: [['usr/lib/{multiarch}/libonig.so.5', 'lib/libonig.so.5']],
    system: ['/usr/lib/{multiarch}/libonig.so.5'],
  },
  // The Unicode Character Database, for tables generated at build time (e.g. which code points were
  // assigned by a given Unicode version, to mirror the reference's older category tables).
  {
    name: 'unicode-data',
    files: [
      ['usr/share/unicode/DerivedAge.txt', 'unicode/DerivedAge.txt'],
      ['usr/share/unicode/UnicodeData.txt', 'unicode/UnicodeData.txt'],
    ],
    system: ['/usr/share/unicode/DerivedAge.txt', '/usr/share/unicode/UnicodeData.txt'],
  },
];

function log(message) {
  process.stderr.write(`[native-deps] ${message}\n`);
}

function multiarch() {
  try {
    return execFileSync('dpkg-architecture', ['-qDEB_HOST_MULTIARCH'], { encoding: 'utf8' }).trim();
  } catch {
    const arch = { x64: 'x86_64', arm64: 'aarch64' }[process.arch] ?? process.arch;
    return `${arch}-linux-gnu`;
  }
}

function expand(p) {
  return p.replace('{multiarch}', multiarch());
}

function isPresent(pkg) {
  return pkg.files.every(([, dest]) => fs.existsSync(path.join(DEPS, dest)));
}

/** The Debian mirror that this machine's apt already uses (its main archive, not the security one). */
function findMirror() {
  if (process.env.NATIVE_DEPS_MIRROR) return process.env.NATIVE_DEPS_MIRROR;
  const candidates = [];
  const files = ['/etc/apt/sources.list'];
  const dir = '/etc/apt/sources.list.d';
  if (fs.existsSync(dir)) for (const f of fs.readdirSync(dir)) files.push(path.join(dir, f));
  for (const file of files) {
    if (!fs.existsSync(file)) continue;
    const text = fs.readFileSync(file, 'utf8');
    for (const m of text.matchAll(/^\s*URIs:\s*(\S+)/gm)) candidates.push(m[1]);
    for (const m of text.matchAll(/^\s*deb\s+(?:\[[^\]]*\]\s+)?(\S+)/gm)) candidates.push(m[1]);
  }
  const mirror = candidates.find((uri) => /debian\/?$/.test(uri) && !/security/.test(uri));
  if (!mirror) {
    throw new Error(
      'no Debian mirror found in /etc/apt/sources.list*; set NATIVE_DEPS_MIRROR, ONNXRUNTIME_ROOT, or install ' +
        PACKAGES.map((p) => p.name).join(', '),
    );
  }
  return mirror;
}

const DEFAULT_SUITE = process.env.NATIVE_DEPS_SUITE || 'trixie';

/** Downloads the .deb files of `packages` into a temporary directory with a private apt state. */
function aptDownload(packages) {
  const suites = [...new Set(packages.map((p) => p.suite || DEFAULT_SUITE))];
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'native-deps-'));
  const lists = path.join(work, 'lists');
  const cache = path.join(work, 'cache');
  fs.mkdirSync(path.join(lists, 'partial'), { recursive: true });
  fs.mkdirSync(path.join(cache, 'archives', 'partial'), { recursive: true });
  const keyring = '/usr/share/keyrings/debian-archive-keyring.gpg';
  const signedBy = fs.existsSync(keyring) ? `[signed-by=${keyring}] ` : '';
  const sources = path.join(work, 'sources.list');
  const mirror = findMirror();
  fs.writeFileSync(sources, suites.map((suite) => `deb ${signedBy}${mirror} ${suite} main\n`).join(''));
  const aptOptions = [
    '-q',
    '-o', `Dir::Etc::SourceList=${sources}`,
    '-o', 'Dir::Etc::SourceParts=/dev/null',
    '-o', `Dir::State::Lists=${lists}`,
    '-o', `Dir::Cache=${cache}`,
    '-o', 'Debug::NoLocking=1',
    '-o', 'APT::Sandbox::User=root',
  ];
  const names = packages.map((p) => `${p.name}/${p.suite || DEFAULT_SUITE}`);
  log(`fetching ${names.join(', ')} from Debian`);
  execFileSync('apt-get', [...aptOptions, 'update'], { stdio: ['ignore', 'ignore', 'inherit'] });
  execFileSync('apt-get', [...aptOptions, 'download', ...names], { cwd: work, stdio: ['ignore', 'ignore', 'inherit'] });
  return work;
}

function copyInto(src, dest) {
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  fs.cpSync(src, dest, { recursive: true });
}

function installFromDeb(pkg, debDir) {
  const deb = fs.readdirSync(debDir).find((f) => f.startsWith(`${pkg.name}_`) && f.endsWith('.deb'));
  if (!deb) throw new Error(`apt-get download did not produce ${pkg.name}`);
  const unpacked = path.join(debDir, `${pkg.name}-root`);
  execFileSync('dpkg', ['-x', path.join(debDir, deb), unpacked]);
  // dereference: a library's SONAME link must arrive as the file itself
  for (const [src, dest] of pkg.files) copyInto(fs.realpathSync(path.join(unpacked, expand(src))), path.join(DEPS, dest));
  log(`${pkg.name}: ${deb}`);
}

function installFromSystem(pkg) {
  const found = pkg.system.map(expand);
  if (!found.every((f) => fs.existsSync(f))) return false;
  for (const [src, dest] of pkg.files) copyInto(fs.realpathSync(path.join('/', expand(src))), path.join(DEPS, dest));
  log(`${pkg.name}: using the system's installed files`);
  return true;
}

/** Makes sure deps/ holds every header and library the build needs; returns the paths CMake should use. */
function ensureNativeDeps() {
  const missing = PACKAGES.filter((p) => !(p.skipWhen && p.skipWhen()) && !isPresent(p));
  if (missing.length > 0) {
    let debDir = null;
    try {
      debDir = aptDownload(missing);
    } catch (error) {
      log(`could not download from Debian (${error.message.split('\n')[0]}); trying system-wide installs`);
    }
    for (const pkg of missing) {
      if (debDir) {
        installFromDeb(pkg, debDir);
      } else if (!installFromSystem(pkg)) {
        throw new Error(
          `${pkg.name} is needed to build the native addon and could not be fetched. Install it ` +
            `(apt-get install ${pkg.name}, from a suite that has it) or, for ONNX Runtime, set ONNXRUNTIME_ROOT.`,
        );
      }
    }
    if (debDir) fs.rmSync(debDir, { recursive: true, force: true });
  }
  return { depsDir: DEPS };
}

module.exports = { ensureNativeDeps };

if (require.main === module) {
  ensureNativeDeps();
}
