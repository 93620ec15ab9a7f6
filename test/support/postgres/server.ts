import { startThrowawayPostgres } from '../../../scripts/throwaway-postgres';

/** The suite's PostgreSQL server (scripts/throwaway-postgres.js), tuned for tests. */
export interface TestPostgresServer {
  /** Connection URL of the server's maintenance database (postgres). */
  url: string;
  stop(): Promise<void>;
}

export async function startTestPostgres(): Promise<TestPostgresServer> {
  // Tests never need durability across a power cut; these make each commit and checkpoint much cheaper.
  const server = await startThrowawayPostgres({ fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off' });
  // Trust authentication accepts any password; a distinctive one lets specs check that messages never print it.
  const url = new URL(server.url);
  url.password = 'test-only-password';
  return { url: url.toString(), stop: () => server.stop() };
}
