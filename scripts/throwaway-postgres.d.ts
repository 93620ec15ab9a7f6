/** See throwaway-postgres.js. */
export interface ThrowawayPostgres {
  /** postgres://postgres:postgres@127.0.0.1:<port>/postgres (trust authentication: any password works). */
  url: string;
  port: number;
  dataDir: string;
  /** Stops the server (fast shutdown) and deletes its data directory and any copy of the binaries. */
  stop(): Promise<void>;
}

export function startThrowawayPostgres(settings?: Record<string, string>): Promise<ThrowawayPostgres>;
