import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NestApplicationOptions } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from './app.module';
import { registerJsonBodyParser } from './common/http/json-body-parser';
import { RawEnv, validateEnv } from './config/env.schema';
import { PROJECT_ROOT } from './config/paths';
import { setupSwagger } from './docs/swagger';

export interface CreateAppOptions {
  /** Environment the settings are read from. Default: process.env. */
  env?: RawEnv;
  /** Nest's logger option (e.g. `false`, or `['error', 'warn']` in tests). Default: Nest's console logger. */
  logger?: NestApplicationOptions['logger'];
}

/**
 * Builds the application, ready to listen: validates the configuration (InvalidConfigError lists every bad
 * variable), creates Nest on Fastify, installs the JSON body parser and Swagger, and initialises the modules,
 * which loads the model (ModelLoadError when it cannot). Tests call it and then `app.listen(0, '127.0.0.1')`.
 */
export async function createApp(options: CreateAppOptions = {}): Promise<NestFastifyApplication> {
  const config = validateEnv(options.env ?? process.env);
  const adapter = new FastifyAdapter({
    bodyLimit: config.bodyLimitBytes,
    // Requests that arrive on kept-alive connections while closing are still served (the engine closes last).
    return503OnClosing: false,
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), adapter, {
    // registerJsonBodyParser installs the only body parser (JSON), instead of Nest's JSON + urlencoded.
    bodyParser: false,
    abortOnError: false,
    ...(options.logger !== undefined ? { logger: options.logger } : {}),
  });
  try {
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
