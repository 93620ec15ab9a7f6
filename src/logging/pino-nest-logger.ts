import type { LoggerService } from '@nestjs/common';
import type { Logger } from 'pino';

/**
 * Nest's LoggerService on top of pino: `new Logger(Context)` calls in services become JSON lines with a
 * `context` field. Nest passes the context as the last string argument and, for errors, a stack before it.
 * An object argument is merged into the line (for structured fields: `logger.log({ msg, ...fields })`).
 */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly root: Logger) {}

  log(message: unknown, ...rest: unknown[]): void {
    this.write('info', message, rest);
  }

  error(message: unknown, ...rest: unknown[]): void {
    // Nest's signature: error(message, stack?, context?).
    const [stack, context] = rest.length >= 2 ? [rest[0], rest[1]] : [undefined, rest[0]];
    this.write('error', message, typeof context === 'string' ? [context] : [], typeof stack === 'string' ? stack : undefined);
  }

  warn(message: unknown, ...rest: unknown[]): void {
    this.write('warn', message, rest);
  }

  debug(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, rest);
  }

  verbose(message: unknown, ...rest: unknown[]): void {
    this.write('trace', message, rest);
  }

  fatal(message: unknown, ...rest: unknown[]): void {
    this.write('fatal', message, rest);
  }

  private write(level: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace', message: unknown, rest: unknown[], stack?: string): void {
    if (!this.root.isLevelEnabled(level)) return;
    const context = typeof rest[rest.length - 1] === 'string' ? (rest[rest.length - 1] as string) : undefined;
    const fields: Record<string, unknown> = {};
    if (context) fields.context = context;
    if (stack) fields.stack = stack;
    if (message instanceof Error) {
      fields.err = message;
      this.root[level](fields, message.message);
    } else if (message !== null && typeof message === 'object') {
      const { msg, message: text, ...structured } = message as Record<string, unknown>;
      this.root[level]({ ...structured, ...fields }, String(msg ?? text ?? ''));
    } else {
      this.root[level](fields, String(message));
    }
  }
}
