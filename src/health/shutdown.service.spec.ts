import { HttpAdapterHost } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import Fastify, { FastifyInstance } from 'fastify';
import { AppConfig } from '../config/app-config';
import { validateEnv } from '../config/env.schema';
import { ShutdownService } from './shutdown.service';

describe('ShutdownService', () => {
  let fastify: FastifyInstance;

  async function create(env: Record<string, string> = {}): Promise<ShutdownService> {
    fastify = Fastify();
    fastify.get('/x', async () => ({ ok: true }));
    const moduleRef = await Test.createTestingModule({
      providers: [
        ShutdownService,
        { provide: AppConfig, useValue: validateEnv(env) },
        { provide: HttpAdapterHost, useValue: { httpAdapter: { getInstance: () => fastify, getHttpServer: () => fastify.server } } },
      ],
    })
      .setLogger({ log() {}, error() {}, warn() {} })
      .compile();
    const service = moduleRef.get(ShutdownService);
    service.onModuleInit();
    return service;
  }

  afterEach(async () => {
    jest.useRealTimers();
    await fastify.close();
  });

  /** Whether `promise` has settled, after letting pending callbacks run. */
  async function isSettled(promise: Promise<unknown>): Promise<boolean> {
    let settled = false;
    void promise.then(() => (settled = true));
    await jest.advanceTimersByTimeAsync(0);
    return settled;
  }

  it('is shutting down from the first shutdown hook on', async () => {
    const service = await create();
    expect(service.isShuttingDown).toBe(false);
    service.onModuleDestroy();
    expect(service.isShuttingDown).toBe(true);
  });

  it('on SIGTERM, keeps the application up for SHUTDOWN_GRACE_MS before Nest closes the HTTP server', async () => {
    jest.useFakeTimers();
    const service = await create({ SHUTDOWN_GRACE_MS: '3000' });
    service.onModuleDestroy();
    const grace = service.beforeApplicationShutdown('SIGTERM');
    await jest.advanceTimersByTimeAsync(2999);
    expect(await isSettled(grace)).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    expect(await isSettled(grace)).toBe(true);
  });

  it.each([
    ['SIGINT (Ctrl-C)', 'SIGINT'],
    ['app.close() without a signal', undefined],
  ])('does not wait when the close comes from %s', async (_from, signal) => {
    jest.useFakeTimers();
    const service = await create({ SHUTDOWN_GRACE_MS: '3000' });
    expect(await isSettled(service.beforeApplicationShutdown(signal))).toBe(true);
  });

  it('does not wait with SHUTDOWN_GRACE_MS=0', async () => {
    jest.useFakeTimers();
    const service = await create({ SHUTDOWN_GRACE_MS: '0' });
    expect(await isSettled(service.beforeApplicationShutdown('SIGTERM'))).toBe(true);
  });

  it('asks keep-alive clients to reconnect (Connection: close) once shutting down', async () => {
    const service = await create();
    await fastify.ready();
    const before = await fastify.inject({ method: 'GET', url: '/x' });
    expect(before.headers.connection).not.toBe('close');
    service.onModuleDestroy();
    const after = await fastify.inject({ method: 'GET', url: '/x' });
    expect(after.statusCode).toBe(200);
    expect(after.headers.connection).toBe('close');
  });
});
