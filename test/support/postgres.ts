import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

/**
 * A fresh, empty database on the suite's PostgreSQL server (started by test/support/postgres/global-setup.ts),
 * for one spec or one test. Fails loudly, with the reason, when the server could not start: a spec that needs
 * PostgreSQL never skips.
 */
export interface TestDatabase {
  url: string;
  /** Drops the database (closing any connection still open to it). */
  drop(): Promise<void>;
}

export function testPostgresUrl(): string {
  const url = process.env.TEST_POSTGRES_URL;
  if (url) return url;
  const reason = process.env.TEST_POSTGRES_ERROR ?? 'the jest global setup (test/support/postgres/global-setup.ts) did not run';
  throw new Error(`This test needs PostgreSQL, which is not available: ${reason}`);
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const serverUrl = testPostgresUrl();
  const name = `test_${randomBytes(6).toString('hex')}`;
  await withClient(serverUrl, (client) => client.query(`CREATE DATABASE ${name}`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => withClient(serverUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}

async function withClient<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
