import pino, { DestinationStream, Logger } from 'pino';
import type { LogLevel } from '../config/app-config';

/**
 * The process's one structured logger: JSON lines on stdout (pino), shared by Nest's Logger (through
 * PinoNestLogger) and Fastify's request logger, so every line has the same shape and can be shipped as is.
 * `destination` exists for tests that read what was logged.
 */
export function createRootLogger(level: LogLevel, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      // Level names instead of numbers, so a reader (or a log query) does not need pino's table.
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
}
