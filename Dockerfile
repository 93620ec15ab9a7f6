# syntax=docker/dockerfile:1
# The CPU image: `docker build -t onnx-classifier-server .` then
# `docker run --init -p 8000:8000 --read-only onnx-classifier-server` (tini is already the entrypoint; --init is
# harmless). Reference: docs/deployment.md. CI builds and runs this file with buildah: scripts/ci/image.sh.
#
# Node.js 24 is the current LTS line; bookworm is the Debian release its official slim tag is built on (glibc,
# not Alpine/musl: ONNX Runtime's prebuilt library needs glibc).
ARG NODE_IMAGE=node:24-bookworm-slim

# ---- build: the toolchain, `npm ci` (which builds the native addon), the TypeScript build, then prune ----------
FROM ${NODE_IMAGE} AS build
# Only for builds behind a TLS-intercepting proxy: pass the host's CA bundle at build time
# (e.g. --volume /etc/ssl/certs:/run/host-certs:ro --build-arg NODE_EXTRA_CA_CERTS=/run/host-certs/ca-certificates.crt);
# it is an ARG of this stage only, so it never reaches the runtime image.
ARG NODE_EXTRA_CA_CERTS
# node-gyp (better-sqlite3) compiles against the image's own Node.js headers instead of downloading them.
ARG npm_config_nodedir=/usr/local
RUN apt-get update \
 && apt-get install -y --no-install-recommends g++ make cmake python3 \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# The install step (`npm ci` runs scripts/build-native.js) needs the native sources; copied before src/ so a
# change to the TypeScript does not rebuild the addon.
COPY package.json package-lock.json .npmrc CMakeLists.txt binding.gyp ./
COPY scripts ./scripts
COPY native ./native
COPY lib ./lib
RUN npm ci
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY bin ./bin
RUN npm run build \
 && npm prune --omit=dev \
 # The addon carries its own copy of ONNX Runtime (build/Release, beside it); onnxruntime-node's binaries for
 # every platform (about 290 MB) are not loaded at run time.
 && rm -rf node_modules/onnxruntime-node/bin \
 # Build intermediates: only the addon and the libraries beside it are needed.
 && find build -mindepth 1 -maxdepth 1 ! -name Release -exec rm -rf {} + \
 && npm cache clean --force
# What the server never loads at run time (another 100 MB), cut by a script both Dockerfiles share; it fails the
# build if the SQLite driver no longer loads after the cuts.
RUN scripts/image/prune-node-modules.sh

# ---- app: the runtime files on the slim base, shared by the server image (last stage) and the Lambda image -----
FROM ${NODE_IMAGE} AS app
# tini as PID 1: forwards SIGTERM to Node (graceful shutdown: readiness 503, drain, close) and reaps zombies.
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini \
 # apt's package caches (pkgcache.bin, srcpkgcache.bin: 75 MB) and the downloaded .deb go with the lists; the
 # official image's docker-clean apt setting already skips them, a base without that setting would keep them.
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /var/cache/apt/archives/*.deb \
 && mkdir -p /data && chown node:node /data
ENV NODE_ENV=production \
    PORT=8000 \
    MODEL_DIR=/models \
    DATA_DIR=/data
WORKDIR /app
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/build/Release ./build/Release
COPY --from=build /app/lib ./lib
COPY --from=build /app/dist ./dist
COPY --from=build /app/bin ./bin
COPY scripts/healthcheck.js ./scripts/healthcheck.js
# The demo model, so the image answers out of the box; mount a model directory over /models to serve another.
COPY models/demo-sentiment /models
# The offline batch command on PATH (docs/batch.md).
RUN ln -s /app/bin/classify-batch.js /usr/local/bin/classify-batch

# ---- lambda: `--target lambda`, the AWS Lambda container image (docs/deploy/aws-lambda.md) --------------------
FROM app AS lambda
# Lambda's only writable path is /tmp; it runs the image as its own user, so nothing here depends on USER.
ENV DATA_DIR=/tmp/data
# Our own Runtime API client (src/serverless/lambda-runtime.ts): builds the app, i.e. loads the model, during
# the init phase, then serves /sentiment and /batch-sentiment events.
ENTRYPOINT ["/usr/bin/tini", "--", "node", "dist/serverless/lambda-runtime.js"]
CMD []

# ---- runtime (the default target): the HTTP server --------------------------------------------------------------
FROM app AS runtime
# Code and model are root-owned and read-only to the server; it writes only to DATA_DIR.
USER node
VOLUME ["/models", "/data"]
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=3s --start-period=60s --retries=3 CMD ["node", "scripts/healthcheck.js"]
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "dist/main.js"]
