import { ArgumentsHost, Catch, ExceptionFilter, Injectable, Logger } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyRequest, HTTPMethods } from 'fastify';
import { AppConfig } from '../../config/app-config';
import { toErrorResponse } from './error-response';

const METHODS: HTTPMethods[] = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

/**
 * The one global exception filter: every error (thrown by handlers, pipes, Nest's unknown-route handler or
 * Fastify's body parsing) leaves as the one JSON error body. Server-side failures are logged here, with their
 * stack, and answered with a generic message; nothing internal reaches the client.
 */
@Catch()
@Injectable()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpErrors');

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly config: AppConfig,
  ) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse();
    const adapter = this.adapterHost.httpAdapter;
    const path = request.url.split('?', 1)[0];

    const response = toErrorResponse(exception, {
      method: request.method,
      path,
      contentType: request.headers['content-type'],
      bodyLimitBytes: this.config.bodyLimitBytes,
      methodsFor: (p) => this.methodsFor(p),
    });
    if (response.isServerError) {
      const detail = exception instanceof Error ? (exception.stack ?? exception.message) : String(exception);
      this.logger.error(`${request.method} ${path} -> ${response.status} ${response.body.error.code}`, detail);
    }
    if (adapter.isHeadersSent(reply)) return;
    for (const [name, value] of Object.entries(response.headers)) adapter.setHeader(reply, name, value);
    adapter.reply(reply, response.body, response.status);
  }

  private methodsFor(path: string): string[] {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    return METHODS.filter((method) => fastify.findRoute({ method, url: path }) !== null);
  }
}
