import type { TestPostgresServer } from './server';

/** Jest global teardown: stops the server global-setup.ts started (and deletes its data directory). */
export default async function globalTeardown(): Promise<void> {
  await (globalThis as { __testPostgres?: TestPostgresServer }).__testPostgres?.stop();
}
