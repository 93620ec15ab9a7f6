/**
 * The batch command's exit codes (docs/batch.md lists them). Scripts branch on these, so they never change
 * meaning; a new situation gets a new number.
 */
export const EXIT = {
  /** Every input record was classified and written. */
  OK: 0,
  /** An unexpected failure (a bug): the message says what; the output written so far is consistent. */
  INTERNAL: 1,
  /** Bad arguments: unknown option, missing column, output that exists without --resume, ... */
  USAGE: 2,
  /** The input could not be read or the output could not be written. */
  IO: 3,
  /** The model could not be loaded. */
  MODEL: 4,
  /** Finished, but some records were bad (not classified): their count and line numbers were reported. */
  BAD_RECORDS: 5,
  /** Stopped by SIGINT; the output holds every row up to some record, and --resume continues after it. */
  INTERRUPTED: 130,
  /** Stopped by SIGTERM; as for SIGINT. */
  TERMINATED: 143,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** A failure that ends the command with a specific exit code and a one-line message for the user. */
export class BatchError extends Error {
  constructor(
    readonly exitCode: ExitCode,
    message: string,
  ) {
    super(message);
    this.name = 'BatchError';
  }
}
