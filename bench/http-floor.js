'use strict';
/**
 * The floor for bench/http.js: the least a Node server can do for the same requests. Bare Fastify with its
 * default JSON parser, the native engine with the same options, and nothing else: no validation, no prediction
 * log, no metrics, no Nest. Run it beside the real server with `--servers floor=bench/http-floor.js,this=.`; the
 * real server's JS CPU per request minus this one's is what the service's own features cost.
 *
 * Environment (as bench/http.js sets it): HOST, PORT, MODEL_DIR, ENGINE_CACHE_SIZE.
 */
const path = require('node:path');
const Fastify = require('fastify');
const { Engine } = require(path.join(__dirname, '..', 'lib'));

async function main() {
  const engine = await Engine.load(process.env.MODEL_DIR, { cacheSize: Number(process.env.ENGINE_CACHE_SIZE ?? 0) });
  const app = Fastify({ logger: false });
  const result = (text, c) => ({ text, label: c.label, score: c.score });
  app.post('/sentiment', async (request) => {
    const [c] = await engine.classify([request.body.text]);
    return result(request.body.text, c);
  });
  app.post('/batch-sentiment', async (request) => {
    const classifications = await engine.classify(request.body.texts);
    return { results: request.body.texts.map((text, i) => result(text, classifications[i])) };
  });
  await app.listen({ host: process.env.HOST ?? '127.0.0.1', port: Number(process.env.PORT ?? 0) });
  console.log(`Listening on http://127.0.0.1:${app.server.address().port}`);
  process.on('SIGTERM', () => app.close().then(() => engine.close()).then(() => process.exit(0)));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
