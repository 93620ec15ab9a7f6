import { createServer, IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { runLambdaRuntime } from './lambda-runtime';
import type { LambdaHandler } from './lambda.handler';

/**
 * A stand-in for Lambda's Runtime API on loopback, speaking its documented protocol: GET invocation/next long-polls
 * and answers an event with its Lambda-Runtime-Aws-Request-Id; the runtime POSTs invocation/<id>/response or
 * /error, or init/error when it cannot start.
 */
class FakeRuntimeApi {
  readonly posts: Array<{ path: string; headers: IncomingMessage['headers']; body: unknown }> = [];
  private readonly events: unknown[];
  private server!: Server;
  private waiting?: () => void;
  nextCalls = 0;

  constructor(events: unknown[]) {
    this.events = [...events];
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      let raw = '';
      req.on('data', (c: Buffer) => (raw += c.toString()));
      req.on('end', () => {
        if (req.method === 'GET' && req.url === '/2018-06-01/runtime/invocation/next') {
          this.nextCalls += 1;
          const event = this.events.shift();
          if (event === undefined) {
            this.waiting?.();
            return; // long poll: no more events; the runtime is aborted by the test
          }
          res.writeHead(200, { 'lambda-runtime-aws-request-id': `req-${this.nextCalls}`, 'content-type': 'application/json' });
          res.end(JSON.stringify(event));
          return;
        }
        this.posts.push({ path: req.url ?? '', headers: req.headers, body: raw ? JSON.parse(raw) : undefined });
        res.writeHead(202).end('{}');
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Resolves when the runtime asks for an event after the last one. */
  drained(): Promise<void> {
    return new Promise((resolve) => (this.waiting = resolve));
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

describe('runLambdaRuntime', () => {
  it('initialises once, then answers each event in turn under its request id, and reports a failing one as an error', async () => {
    const api = new FakeRuntimeApi([{ n: 1 }, { n: 2, fail: true }, { n: 3 }]);
    const address = await api.start();
    let inits = 0;
    const handler: LambdaHandler = async (event) => {
      const e = event as { n: number; fail?: boolean };
      if (e.fail) throw new TypeError('bad event');
      return { statusCode: 200, headers: {}, body: `answer ${e.n}`, isBase64Encoded: false };
    };
    const init = (async () => {
      inits += 1;
      return handler;
    })();
    const abort = new AbortController();
    const running = runLambdaRuntime(address, init, abort.signal);
    await api.drained();
    abort.abort();
    await running;
    await api.stop();

    expect(inits).toBe(1);
    expect(api.posts.map((p) => p.path)).toEqual([
      '/2018-06-01/runtime/invocation/req-1/response',
      '/2018-06-01/runtime/invocation/req-2/error',
      '/2018-06-01/runtime/invocation/req-3/response',
    ]);
    expect(api.posts[0].body).toEqual({ statusCode: 200, headers: {}, body: 'answer 1', isBase64Encoded: false });
    expect(api.posts[1].body).toMatchObject({ errorType: 'TypeError', errorMessage: 'bad event' });
    expect(api.posts[1].headers['lambda-runtime-function-error-type']).toBe('Unhandled');
  });

  it('reports a failed init (e.g. a model that cannot load) to init/error and asks for no event', async () => {
    const api = new FakeRuntimeApi([{ n: 1 }]);
    const address = await api.start();
    const failure = Object.assign(new Error('Cannot load /models: model.onnx is missing'), { name: 'ModelLoadError' });
    await expect(runLambdaRuntime(address, Promise.reject(failure))).rejects.toThrow('model.onnx is missing');
    await api.stop();
    expect(api.nextCalls).toBe(0);
    expect(api.posts).toEqual([
      {
        path: '/2018-06-01/runtime/init/error',
        headers: expect.objectContaining({ 'lambda-runtime-function-error-type': 'Runtime.InitError' }),
        body: expect.objectContaining({ errorType: 'ModelLoadError', errorMessage: 'Cannot load /models: model.onnx is missing' }),
      },
    ]);
  });
});
