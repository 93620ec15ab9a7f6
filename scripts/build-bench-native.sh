#!/usr/bin/env bash
# Builds bench/native_bench.cc into build/tools/tokenizer_bench: the tokenizer sources of native/sources.txt
# (native/tokenizer and native/core, no N-API, no ONNX Runtime) with the addon's Release flags, so that
# bench/tokenizer.js can tell native tokenization time from JS-boundary time and callgrind can count instructions.
#   scripts/build-bench-native.sh            # optimized (-O3 -DNDEBUG, like cmake-js Release)
#   BENCH_CFLAGS="-O3 -g" scripts/build-bench-native.sh   # with symbols, for callgrind_annotate
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
OUT="${BENCH_OUT:-build/tools}"
mkdir -p "$OUT"
mapfile -t SOURCES < <(grep -E '^native/(tokenizer|core)/.*\.cc$' native/sources.txt)
[ -e deps/lib/libutf8proc.a ] || node scripts/native-deps.js
GENERATED="$(node scripts/generate-unicode-tables.js)"  # prints the directory of unicode_tables.h
"${CXX:-c++}" -std=c++17 ${BENCH_CFLAGS:--O3 -DNDEBUG} -Wall -Wextra -Wno-unused-parameter \
  -Inative -Ideps/include -I"$GENERATED" -DUTF8PROC_STATIC \
  bench/native_bench.cc "${SOURCES[@]}" deps/lib/libutf8proc.a deps/lib/libonig.so.5 \
  -Wl,-rpath,"$ROOT/deps/lib" -pthread -o "$OUT/tokenizer_bench"
echo "built $OUT/tokenizer_bench"
