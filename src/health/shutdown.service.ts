import { BeforeApplicationShutdown, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { AppConfig } from '../config/app-config';

/**
 * The graceful shutdown, as Nest runs it on `app.close()` (SIGTERM/SIGINT with shutdown hooks enabled):
 *
 * 1. onModuleDestroy (the first hook Nest calls): readiness answers 503 `shutting_down` from now on, and every
 *    response carries `Connection: close`, so keep-alive clients reconnect (through the load balancer, to another
 *    replica) instead of reusing a connection to a server about to stop.
 * 2. beforeApplicationShutdown, on SIGTERM: the server keeps serving for SHUTDOWN_GRACE_MS, long enough for load
 *    balancers to see the failing readiness and stop routing here. Other closes (SIGINT, app.close() in tests,
 *    a failed startup) do not wait: nobody routes to them.
 * 3. Nest closes the HTTP server: no new connections; requests in flight finish (return503OnClosing is off).
 * 4. onApplicationShutdown: the engine closes (after finishing its queue), then the database (a global module,
 *    so last).
 *
 * Terminus has its own shutdown delay (TerminusModule.forRoot({ gracefulShutdownTimeoutMs })) and status flag,
 * but both live in its beforeApplicationShutdown, which runs after every onModuleDestroy and, among the
 * modules' beforeApplicationShutdown hooks, wherever Nest's module ordering puts TerminusModule; this service
 * flips readiness at the first hook. Terminus still reports `shutting_down` once its own flag is set.
 */
@Injectable()
export class ShutdownService implements OnModuleInit, OnModuleDestroy, BeforeApplicationShutdown {
  private readonly logger = new Logger('Shutdown');
  private shuttingDown = false;

  constructor(
    private readonly config: AppConfig,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  /** True from the moment the application starts closing. */
  get isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter?.getInstance<FastifyInstance>();
    if (!fastify) return;
    fastify.addHook('onSend', (_request, reply, payload, done) => {
      if (this.shuttingDown) reply.header('connection', 'close');
      done(null, payload);
    });
    // The steps are logged only for a server that was serving: a startup that fails also closes the application.
    let wasListening = false;
    fastify.addHook('preClose', (done) => {
      wasListening = fastify.server.listening;
      if (wasListening) this.logger.log('Closing the HTTP server: no new connections; requests in flight finish');
      done();
    });
    fastify.addHook('onClose', (_instance, done) => {
      if (wasListening) this.logger.log('HTTP server closed');
      done();
    });
  }

  onModuleDestroy(): void {
    if (this.shuttingDown) return;
    this.shuttingDown = true;
    if (this.adapterHost.httpAdapter?.getHttpServer()?.listening) this.logger.log('Shutting down: readiness answers 503 shutting_down');
  }

  async beforeApplicationShutdown(signal?: string): Promise<void> {
    const graceMs = this.config.shutdownGraceMs;
    if (signal !== 'SIGTERM' || graceMs === 0) return;
    this.logger.log(`${signal}: still serving for ${graceMs} ms (SHUTDOWN_GRACE_MS) so load balancers stop routing here`);
    await new Promise((resolve) => setTimeout(resolve, graceMs));
  }
}
