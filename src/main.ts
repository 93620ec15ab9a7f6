import { Logger } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { AddressInfo } from 'node:net';
import { createApp, CreateAppOptions } from './app.factory';
import { AppConfig } from './config/app-config';
import { InvalidConfigError } from './config/env.schema';
import { DOCS_PATH } from './docs/swagger';
import { DatabaseOpenError } from './database/sqlite-database';
import { ModelLoadError } from './engine/model-load.error';
import { createRootLogger } from './logging/root-logger';
import { MetricsListenError } from './metrics/metrics.server';

export { createApp, CreateAppOptions };

const logger = new Logger('Bootstrap');

/**
 * Starts the server: builds the app (configuration validated, model loaded), enables the shutdown hooks
 * (SIGTERM/SIGINT: readiness turns 503, then the HTTP server closes, then the engine, then the database; see
 * ShutdownService) and listens on HOST:PORT.
 */
export async function bootstrap(options: CreateAppOptions = {}): Promise<NestFastifyApplication> {
  const app = await createApp(options);
  // process.exit(0) after the shutdown, instead of re-raising the signal: the exit lets pino flush its last lines
  // (Engine closed, Database closed), which a re-raised SIGTERM would kill before they reach stdout.
  app.enableShutdownHooks(undefined, { useProcessExit: true });
  const { host, port } = app.get(AppConfig);
  try {
    await app.listen(port, host);
  } catch (error) {
    await app.close().catch(() => undefined);
    throw new Error(`Could not listen on ${host}:${port}: ${(error as Error).message}`);
  }
  const address = app.getHttpServer().address() as AddressInfo;
  logger.log(`Listening on http://${host}:${address.port} (Swagger UI at ${DOCS_PATH})`);
  return app;
}

/** One clear line (or list) for why the server could not start; a stack only for the unexpected. */
export function describeStartupFailure(error: unknown): string {
  const expected = [InvalidConfigError, ModelLoadError, MetricsListenError, DatabaseOpenError];
  if (expected.some((type) => error instanceof type)) return (error as Error).message;
  if (error instanceof Error) return error.stack ?? error.message;
  return String(error);
}

if (require.main === module) {
  bootstrap().catch((error: unknown) => {
    // The configuration (and so LOG_LEVEL) may be what failed: this line is written whatever the level.
    createRootLogger('info').fatal({ context: 'Bootstrap' }, `Startup failed. ${describeStartupFailure(error)}`);
    process.exit(1);
  });
}
