import { startTestPostgres, type TestPostgresServer } from './server';

/**
 * Jest global setup: starts one PostgreSQL server for the whole run and hands its URL to the specs in
 * TEST_POSTGRES_URL (each spec creates its own database on it: see test/support/postgres.ts). When it cannot
 * start, the reason goes to TEST_POSTGRES_ERROR and every spec that needs PostgreSQL fails with it; the others
 * still run.
 */
export default async function globalSetup(): Promise<void> {
  if (process.env.TEST_POSTGRES_URL) return; // an outside server was given
  try {
    const server = await startTestPostgres();
    (globalThis as { __testPostgres?: TestPostgresServer }).__testPostgres = server;
    process.env.TEST_POSTGRES_URL = server.url;
  } catch (error) {
    process.env.TEST_POSTGRES_ERROR = (error as Error).message;
  }
}
