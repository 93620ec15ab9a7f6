'use strict';
/**
 * The load generator of bench/http.js, in its own process so that its JS thread is not the bench's (and can be
 * pinned to a core with taskset). Runs autocannon once against one URL, cycling through pre-serialised JSON
 * bodies, and prints autocannon's result as one JSON line on stdout.
 *
 * Usage: node bench/http-load.js '<json>'   with { url, connections, seconds, bodiesFile }
 *   bodiesFile: a JSON file holding an array of request bodies (strings), sent in turn.
 */
const fs = require('node:fs');
const autocannon = require('autocannon');

async function main() {
  const { url, connections, seconds, bodiesFile } = JSON.parse(process.argv[2]);
  const bodies = JSON.parse(fs.readFileSync(bodiesFile, 'utf8'));
  let next = 0;
  const result = await autocannon({
    url,
    connections,
    duration: seconds,
    // One request in flight per connection: the server sees `connections` concurrent clients, no pipelining.
    pipelining: 1,
    // A large model on a busy machine can take many seconds per request at high concurrency: that is latency to
    // report, not a timeout to count as an error.
    timeout: 120,
    requests: [
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        setupRequest: (request) => ({ ...request, body: bodies[next++ % bodies.length] }),
      },
    ],
  });
  process.stdout.write(
    JSON.stringify({
      requests: result.requests.total,
      seconds: result.duration,
      non2xx: result.non2xx,
      errors: result.errors,
      timeouts: result.timeouts,
      statusCodes: Object.fromEntries(Object.entries(result.statusCodeStats ?? {}).map(([status, { count }]) => [status, count])),
      latencyMs: { p50: result.latency.p50, p99: result.latency.p99 },
    }) + '\n',
  );
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
