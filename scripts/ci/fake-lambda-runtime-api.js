'use strict';
/**
 * A stand-in for AWS Lambda's Runtime API on loopback, for the CI check of the Lambda image (scripts/ci/image.sh):
 * it hands the runtime one HTTP API (payload 2.0) event, POST /sentiment, and waits for the function's answer.
 * Prints the answer as one JSON line and exits 0 when the runtime POSTed a response, 1 when it reported an init or
 * invocation error, 2 on timeout.
 *
 * Usage: node scripts/ci/fake-lambda-runtime-api.js PORT [TIMEOUT_S]
 */
const http = require('node:http');

const port = Number(process.argv[2]);
const timeoutS = Number(process.argv[3] ?? 120);
const event = {
  version: '2.0',
  rawPath: '/sentiment',
  rawQueryString: '',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ text: 'I absolutely loved this movie! The acting was superb.' }),
  isBase64Encoded: false,
  requestContext: { http: { method: 'POST', path: '/sentiment' }, stage: '$default' },
};
let served = false;

const server = http.createServer((req, res) => {
  let raw = '';
  req.on('data', (chunk) => (raw += chunk));
  req.on('end', () => {
    if (req.method === 'GET' && req.url === '/2018-06-01/runtime/invocation/next') {
      if (served) return; // long poll: no second event
      served = true;
      res.writeHead(200, { 'lambda-runtime-aws-request-id': 'ci-1', 'content-type': 'application/json' });
      res.end(JSON.stringify(event));
      return;
    }
    res.writeHead(202).end('{}');
    if (req.url === '/2018-06-01/runtime/invocation/ci-1/response') finish(0, raw);
    else if (req.url?.endsWith('/error')) finish(1, `${req.url}: ${raw}`);
  });
});

function finish(code, detail) {
  console.log(detail);
  process.exit(code);
}

server.listen(port, '127.0.0.1');
setTimeout(() => finish(2, `no answer from the runtime within ${timeoutS} s`), timeoutS * 1000).unref();
