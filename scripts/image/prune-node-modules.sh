#!/bin/sh
# Cuts from node_modules what the server never loads at run time, so the images stay well under their 500 MB
# budget (each cut's size is in docs/deployment.md, "Size"). Both Dockerfiles run it in their build stage, from
# /app, after `npm run build` and `npm prune --omit=dev`. It ends by proving that the SQLite driver still loads and
# works; scripts/ci/image.sh then runs the CPU image end to end (server, classification with its prediction log,
# batch command).
set -eu
cd "${1:-.}"

# The SQLite driver for Node 20 (better-sqlite3 12 under the alias better-sqlite3-node20): sqlite-driver.ts only
# requires it on a Node without Node-API 10; when this Node has it, the alias is dead weight (28 MB).
if node -p 'Number(process.versions.napi) >= require("./dist/database/sqlite-driver").REQUIRED_NODE_API_FOR_13' \
  | grep -qx true; then
  rm -rf node_modules/better-sqlite3-node20
fi

# better-sqlite3 13 loads one binary, the prebuild for this platform (or build/Release's, had it been compiled): ask
# its own loader which, then keep lib/, package.json, LICENSE and that file. The rest (SQLite's C sources in deps/,
# src/, binding.gyp, node-gyp's build files, the other platforms' prebuilds) is build input (25 MB).
addon="$(node -p 'new (require("better-sqlite3"))(":memory:").close();
  Object.keys(require.cache).find((file) => file.endsWith(".node"))
    .slice(require("path").resolve("node_modules/better-sqlite3").length + 1)')"
(
  cd node_modules/better-sqlite3
  find . -mindepth 1 -maxdepth 1 ! -name lib ! -name package.json ! -name LICENSE ! -name "${addon%%/*}" -exec rm -rf {} +
  find "${addon%%/*}" -type f ! -path "$addon" -delete
)

# Source maps (36 MB) are read only by debuggers, or by Node with --enable-source-maps, which the images do not set
# (our own dist/ keeps its maps); type declarations and TypeScript sources (12 MB) only by the compiler: Node never
# requires a .ts file from node_modules. Markdown (README, CHANGELOG) is for people; licences stay.
find node_modules -type f \( -name '*.map' -o -name '*.ts' -o -name '*.mts' -o -name '*.cts' \
  -o \( \( -iname '*.md' -o -iname '*.markdown' \) ! -iname 'licen[cs]e*' \) \) -delete

# Packages' own test suites (a package's top-level test/, tests/ or __tests__/; 10 MB): never required.
find node_modules -regextype posix-extended -type d \
  -regex 'node_modules/(@[^/]+/)?[^@/][^/]*/(test|tests|__tests__)' -prune -exec rm -rf {} +

# Proof the SQLite driver still loads and works after the cuts.
node -e 'const { Sqlite } = require("./dist/database/sqlite-driver");
  const db = new Sqlite(":memory:"); if (db.prepare("select 1 + 1 as two").get().two !== 2) process.exit(1); db.close()'
echo "prune-node-modules: node_modules is $(du -sh node_modules | cut -f1) after the cuts"
