import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ErrorBodyDto } from '../common/errors/error-body.dto';
import { AppErrorCode, ERROR_HTTP, GENERIC_MESSAGES } from '../common/errors/error-codes';
import { AppConfig } from '../config/app-config';
import { MetricsService } from './metrics.service';

export const METRICS_PATH = '/metrics';

/** The metrics listener could not start (METRICS_PORT in use, not permitted, ...): the service does not start. */
export class MetricsListenError extends Error {
  readonly code = 'METRICS_LISTEN_FAILED';

  constructor(host: string, port: number, cause: NodeJS.ErrnoException) {
    const reason =
      cause.code === 'EADDRINUSE'
        ? 'the port is already in use (choose another METRICS_PORT, or leave it unset to serve /metrics on PORT)'
        : cause.code === 'EACCES'
          ? 'permission denied (ports below 1024 need privileges)'
          : cause.message;
    super(`Cannot serve metrics on ${host}:${port} (METRICS_PORT): ${reason}`);
    this.name = 'MetricsListenError';
  }
}

/**
 * When METRICS_PORT is set, a plain HTTP listener on HOST:METRICS_PORT that serves only GET /metrics, so
 * scrapes stay off the public port (and a firewall can keep them internal). It starts when the modules
 * initialise, before the model loads: a port clash fails the startup at once, and the process can be scraped
 * while a large model loads. It closes after the main HTTP server, so the last scrapes see the drain.
 */
@Injectable()
export class MetricsServer implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(MetricsServer.name);
  private server: Server | undefined;

  constructor(
    private readonly config: AppConfig,
    private readonly metrics: MetricsService,
  ) {}

  async onModuleInit(): Promise<void> {
    const { host, metricsPort } = this.config;
    if (metricsPort === undefined) return;
    const server = createServer((request, response) => void this.handle(request, response));
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error: NodeJS.ErrnoException) => reject(new MetricsListenError(host, metricsPort, error)));
      server.listen(metricsPort, host, () => resolve());
    });
    this.server = server;
    this.logger.log(`Metrics at http://${host}:${this.address()!.port}${METRICS_PATH}`);
  }

  /** Where the listener is bound; undefined when METRICS_PORT is unset (or once closed). */
  address(): AddressInfo | undefined {
    return (this.server?.address() as AddressInfo | null) ?? undefined;
  }

  async onApplicationShutdown(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      // A scraper's kept-alive connection would otherwise hold the close open until it times out.
      server.closeIdleConnections();
    });
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const method = request.method ?? 'GET';
    const path = (request.url ?? '/').split('?', 1)[0];
    if (path !== METRICS_PATH) {
      return sendError(response, 'NOT_FOUND', `No route matches ${method} ${path}; this port (METRICS_PORT) serves only GET ${METRICS_PATH}`);
    }
    if (method !== 'GET' && method !== 'HEAD') {
      return sendError(response, 'METHOD_NOT_ALLOWED', `Method ${method} is not allowed on ${METRICS_PATH}; allowed: GET, HEAD`, {
        allow: 'GET, HEAD',
      });
    }
    try {
      const body = await this.metrics.render();
      response.writeHead(200, { 'content-type': this.metrics.contentType, 'content-length': Buffer.byteLength(body) });
      response.end(method === 'HEAD' ? undefined : body);
    } catch (error) {
      this.logger.error(`Rendering the metrics failed: ${(error as Error).message}`, (error as Error).stack);
      sendError(response, 'INTERNAL', GENERIC_MESSAGES.INTERNAL!);
    }
  }
}

/** The one error body, with the status ERROR_HTTP gives the code. */
function sendError(response: ServerResponse, code: AppErrorCode, message: string, headers: Record<string, string> = {}): void {
  const body: ErrorBodyDto = { error: { code, message } };
  const text = JSON.stringify(body);
  response.writeHead(ERROR_HTTP[code].status, {
    ...headers,
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  response.end(text);
}
