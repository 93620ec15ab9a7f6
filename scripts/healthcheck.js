'use strict';
/**
 * The image's HEALTHCHECK: exits 0 when GET /health/live answers 2xx within the timeout, else 1. Node itself
 * makes the request because the slim runtime image has no curl or wget.
 */
const port = process.env.PORT || '8000';
const timeoutMs = 2500; // below the HEALTHCHECK --timeout (3 s), so a slow answer fails here, cleanly

fetch(`http://127.0.0.1:${port}/health/live`, { signal: AbortSignal.timeout(timeoutMs) }).then(
  (response) => process.exit(response.ok ? 0 : 1),
  () => process.exit(1),
);
