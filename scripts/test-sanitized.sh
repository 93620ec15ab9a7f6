#!/usr/bin/env bash
# Builds the addon with AddressSanitizer and UndefinedBehaviorSanitizer into build/asan (separate from the normal
# build/Release) and runs the tokenizer tests against it.
#   scripts/test-sanitized.sh                      # build, then npx jest test/native/tokenizer-*.spec.ts
#   scripts/test-sanitized.sh test/native/x.spec.ts  # other test files
#   SANITIZE=address scripts/test-sanitized.sh     # another sanitizer set (default address,undefined)
# Node itself is not instrumented, so ASan's runtime must be loaded first: LD_PRELOAD of the compiler's libasan.
# Leak detection is off (Node frees little at exit by design); any ASan or UBSan report aborts the test process.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
SANITIZE="${SANITIZE:-address,undefined}"
OUT="build/asan"
node -e "require('./scripts/native-deps').ensureNativeDeps()"
mapfile -t PATHS < <(node -e "
  const p = require('./scripts/native-paths');
  console.log(p.DEPS_DIR); console.log(p.onnxRuntimeIncludeDir()); console.log(p.onnxRuntimeLibDir());")
node "$(node -p "require.resolve('cmake-js/bin/cmake-js')")" compile --log-level warn --out "$OUT" \
  "--CDDEPS_DIR=${PATHS[0]}" "--CDONNXRUNTIME_INCLUDE_DIR=${PATHS[1]}" "--CDONNXRUNTIME_LIB_DIR=${PATHS[2]}" \
  "--CDSANITIZE=$SANITIZE" --CDCMAKE_BUILD_TYPE=RelWithDebInfo
ADDON="$ROOT/$OUT/Release/classifier_engine.node"
[ -e "$ADDON" ] || ADDON="$(find "$ROOT/$OUT" -name classifier_engine.node | head -n 1)"
CXX_BIN="$(grep -E '^CMAKE_CXX_COMPILER:' "$OUT/CMakeCache.txt" | cut -d= -f2)"
PRELOAD=""
if [[ "$SANITIZE" == *address* ]]; then
  PRELOAD="$("${CXX_BIN:-c++}" -print-file-name=libasan.so)"
  [ -e "$PRELOAD" ] || { echo "test-sanitized: libasan.so not found next to $CXX_BIN" >&2; exit 1; }
fi
if [ "$#" -eq 0 ]; then set -- test/native/tokenizer-*.spec.ts; fi
echo "test-sanitized: $ADDON (sanitizers: $SANITIZE)"
export CLASSIFIER_ENGINE_ADDON="$ADDON"
export ASAN_OPTIONS="detect_leaks=0:abort_on_error=1:halt_on_error=1:${ASAN_OPTIONS:-}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:${UBSAN_OPTIONS:-}"
LD_PRELOAD="$PRELOAD${LD_PRELOAD:+:$LD_PRELOAD}" npx jest --runInBand "$@"
