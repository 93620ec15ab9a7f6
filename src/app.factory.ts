import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DestinationStream, Logger } from 'pino';
import { NestFactory } from '@nestjs/core';
import { LogController } from 'fastify';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from './app.module';
import { registerJsonBodyParser } from './common/http/json-body-parser';
import { RawEnv, validateEnv } from './config/env.schema';
import { PROJECT_ROOT } from './config/paths';
import { setupSwagger } from './docs/swagger';
import { PinoNestLogger } from './logging/pino-nest-logger';
import { createRootLogger } from './logging/root-logger';

export interface CreateAppOptions {
  /** Environment the settings are read from. Default: process.env. */
  env?: RawEnv;
  /** Where the JSON log goes (tests read it). Default: stdout. The level is LOG_LEVEL. */
  logDestination?: DestinationStream;
}

/**
 * Builds the application, ready to listen: validates the configuration (InvalidConfigError lists every bad
 * variable), creates Nest on Fastify, installs the JSON body parser and Swagger, and initialises the modules,
 * which loads the model (ModelLoadError when it cannot). Tests call it and then `app.listen(0, '127.0.0.1')`.
 */
export async function createApp(options: CreateAppOptions = {}): Promise<NestFastifyApplication> {
  const config = validateEnv(options.env ?? process.env);
  const rootLogger = createRootLogger(config.logLevel, options.logDestination);
  const adapter = new FastifyAdapter({
    bodyLimit: config.bodyLimitBytes,
    loggerInstance: rootLogger,
    // Fastify's two lines per request are too many for an inference server; LOG_LEVEL=debug gets one (below).
    logController: new LogController({ disableRequestLogging: true }),
    // Requests that arrive on kept-alive connections while closing are still served (the engine closes last).
    return503OnClosing: false,
    // No Nest middleware is used: without @fastify/middie no request pays for an empty middleware run.
    skipMiddie: true,
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), adapter, {
    // registerJsonBodyParser installs the only body parser (JSON), instead of Nest's JSON + urlencoded.
    bodyParser: false,
    abortOnError: false,
    logger: new PinoNestLogger(rootLogger),
  });
  try {
    logCompletedRequests(app, rootLogger);
    registerJsonBodyParser(app.getHttpAdapter().getInstance(), config.bodyLimitBytes);
    setupSwagger(app, packageVersion());
    await app.init();
  } catch (error) {
    await app.close().catch(() => undefined);
    throw error;
  }
  return app;
}

function packageVersion(): string {
  try {
    return (JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version?: string }).version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

/** At debug level, one JSON line per completed request: method, route, status and duration. */
function logCompletedRequests(app: NestFastifyApplication, rootLogger: Logger): void {
  if (!rootLogger.isLevelEnabled('debug')) return;
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onResponse', (request, reply, done) => {
    request.log.debug(
      { method: request.method, url: request.url, route: request.routeOptions.url, status: reply.statusCode, ms: reply.elapsedTime },
      'request completed',
    );
    done();
  });
}
