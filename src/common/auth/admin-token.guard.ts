import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import { AppConfig } from '../../config/app-config';
import { AppError } from '../errors/app-error';

/**
 * Guards the routes that change the server's state (models, drift references): they need
 * `Authorization: Bearer <ADMIN_TOKEN>`. With no ADMIN_TOKEN configured they are off (403 ADMIN_DISABLED, with how
 * to turn them on); a missing or wrong token is 401 UNAUTHORIZED. Tokens are compared in constant time: both sides
 * are hashed first, so neither the content nor the length of the secret leaks through timing.
 */
@Injectable()
export class AdminTokenGuard implements CanActivate {
  private readonly expected: Buffer | undefined;

  constructor(config: AppConfig) {
    this.expected = config.adminToken === undefined ? undefined : digest(config.adminToken);
  }

  canActivate(context: ExecutionContext): boolean {
    if (!this.expected) {
      throw new AppError(
        'ADMIN_DISABLED',
        'Admin routes are disabled: set ADMIN_TOKEN (at least 16 characters) and send it as "Authorization: Bearer <token>"',
      );
    }
    const header = context.switchToHttp().getRequest<{ headers: Record<string, string | string[] | undefined> }>()
      .headers.authorization;
    const match = typeof header === 'string' ? /^Bearer[ ]+(\S+)\s*$/i.exec(header) : null;
    if (!match) throw new AppError('UNAUTHORIZED', 'This route needs "Authorization: Bearer <ADMIN_TOKEN>"');
    if (!timingSafeEqual(digest(match[1]), this.expected)) {
      throw new AppError('UNAUTHORIZED', 'The bearer token is not the configured ADMIN_TOKEN');
    }
    return true;
  }
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}
