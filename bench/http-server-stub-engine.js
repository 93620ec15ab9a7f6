'use strict';
/**
 * The compiled server with the engine's computation replaced by a canned answer, for bench/http.js's
 * `--servers this=.,stub=bench/http-server-stub-engine.js`: the first classification runs on the real engine
 * (so the answer, its labels, scores and drift features are real), and every later one returns a copy of it on
 * the next turn of the event loop. Everything else (HTTP, validation, the prediction log, metrics, drift
 * windows) runs as in the real server, so the JS thread's CPU per request measures the server's own cost with the
 * engine's completion path taken out. A benchmark harness only.
 */
const path = require('node:path');
const dist = path.resolve(__dirname, '..', 'dist');
const { EngineService } = require(path.join(dist, 'engine', 'engine.service'));

const classifyRouted = EngineService.prototype.classifyRouted;
let canned;
EngineService.prototype.classifyRouted = function classifyRoutedCanned(texts, interactive, clientKey) {
  if (!canned) {
    return classifyRouted.call(this, texts, interactive, clientKey).then((routed) => {
      canned = routed.results[0];
      return routed;
    });
  }
  const { version } = this.production;
  return new Promise((resolve) =>
    setImmediate(() => resolve({ results: texts.map(() => ({ ...canned, scores: { ...canned.scores } })), version })),
  );
};

const { bootstrap, describeStartupFailure } = require(path.join(dist, 'main'));
bootstrap().catch((error) => {
  console.error(`Startup failed. ${describeStartupFailure(error)}`);
  process.exit(1);
});
