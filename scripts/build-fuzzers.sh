#!/usr/bin/env bash
# Builds the libFuzzer targets of fuzz/ into build/fuzz/ with clang (-fsanitize=fuzzer,address,undefined), linking
# the tokenizer sources of native/sources.txt directly (native/tokenizer and native/core: no N-API, no ONNX
# Runtime), and writes seed corpora derived from ../shared/realdata (never copied into the repository).
# Needs clang and libFuzzer: on Debian/Ubuntu `apt-get install clang libclang-rt-14-dev` (or any clang >= 11 with
# its compiler-rt). Usage and what the targets check: fuzz/README.md.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
CXX="${FUZZ_CXX:-clang++}"
OUT="build/fuzz"
mkdir -p "$OUT"
command -v "$CXX" >/dev/null || { echo "build-fuzzers: $CXX not found (apt-get install clang libclang-rt-14-dev)" >&2; exit 1; }
[ -e deps/lib/libutf8proc.a ] || node scripts/native-deps.js
mapfile -t SOURCES < <(grep -E '^native/(tokenizer|core)/.*\.cc$' native/sources.txt)
FLAGS=(-std=c++17 -g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined
       -Inative -Ideps/include -DUTF8PROC_STATIC)
# Compile the engine once with coverage instrumentation (fuzzer-no-link), then link each target against it.
OBJ="$OUT/obj"
mkdir -p "$OBJ"
OBJECTS=()
for source in "${SOURCES[@]}"; do
  object="$OBJ/$(echo "$source" | tr '/' '_').o"
  if [ ! -e "$object" ] || [ "$source" -nt "$object" ] || [ "$0" -nt "$object" ] || \
     [ -n "$(find native -name '*.h' -newer "$object" -print -quit)" ]; then
    while [ "$(jobs -rp | wc -l)" -ge "${FUZZ_JOBS:-2}" ]; do wait -n; done
    "$CXX" "${FLAGS[@]}" -fsanitize=fuzzer-no-link -c "$source" -o "$object" &
  fi
  OBJECTS+=("$object")
done
for job in $(jobs -rp); do wait "$job"; done
for target in fuzz_tokenizer_load fuzz_tokenizer_encode; do
  "$CXX" "${FLAGS[@]}" -fsanitize=fuzzer "fuzz/$target.cc" "${OBJECTS[@]}" deps/lib/libutf8proc.a \
    deps/lib/libonig.so.5 -Wl,-rpath,"$ROOT/deps/lib" -o "$OUT/$target"
  echo "built $OUT/$target"
done
# Seed corpora. Loading: each real tokenizer.json with its vocabulary cut to the special tokens and a few hundred
# entries (a 700 KB file is too slow to mutate usefully), plus one whole file. Encoding: the SST-2 and
# multilingual texts, each behind a tokenizer byte and an options byte.
node fuzz/make-seeds.js "$OUT"
