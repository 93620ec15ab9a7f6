'use strict';
/**
 * The compiled server with the prediction log's writes made no-ops, for bench/http-databases.js's "log off"
 * column: the same process, routes and responses, minus the commit of each prediction, which shows what the log
 * costs on each store. A benchmark harness only: the server itself has no way to turn the log off (a prediction
 * id must always be traceable by feedback).
 */
const path = require('node:path');
const dist = path.resolve(__dirname, '..', 'dist');
const { SqlitePredictionStore } = require(path.join(dist, 'predictions', 'sqlite-prediction.store'));
SqlitePredictionStore.prototype.insertAll = async function insertAllSkipped() {};
const { bootstrap, describeStartupFailure } = require(path.join(dist, 'main'));
bootstrap().catch((error) => {
  console.error(`Startup failed. ${describeStartupFailure(error)}`);
  process.exit(1);
});
