import { ExecutionContext } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { AppError } from '../errors/app-error';
import { AdminTokenGuard } from './admin-token.guard';

const TOKEN = 'a-sufficiently-long-secret';

function contextWith(authorization?: string): ExecutionContext {
  const request = { headers: authorization === undefined ? {} : { authorization } };
  return { switchToHttp: () => ({ getRequest: () => request }) } as unknown as ExecutionContext;
}

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    return (error as AppError).code;
  }
  return undefined;
}

describe('AdminTokenGuard', () => {
  const guard = new AdminTokenGuard({ adminToken: TOKEN } as AppConfig);

  it('lets a request with the configured bearer token through', () => {
    expect(guard.canActivate(contextWith(`Bearer ${TOKEN}`))).toBe(true);
    expect(guard.canActivate(contextWith(`bearer  ${TOKEN}`))).toBe(true);
  });

  it.each([
    ['no header', undefined],
    ['another scheme', `Basic ${TOKEN}`],
    ['an empty token', 'Bearer '],
    ['a wrong token', 'Bearer not-the-token-at-all'],
    ['a prefix of the token', `Bearer ${TOKEN.slice(0, -1)}`],
    ['the token with a suffix', `Bearer ${TOKEN}x`],
  ])('refuses %s with UNAUTHORIZED', (_, header) => {
    expect(codeOf(() => guard.canActivate(contextWith(header)))).toBe('UNAUTHORIZED');
  });

  it('answers ADMIN_DISABLED, saying how to enable the routes, when no token is configured', () => {
    const off = new AdminTokenGuard({} as AppConfig);
    let error: AppError | undefined;
    try {
      off.canActivate(contextWith(`Bearer ${TOKEN}`));
    } catch (e) {
      error = e as AppError;
    }
    expect(error?.code).toBe('ADMIN_DISABLED');
    expect(error?.message).toContain('ADMIN_TOKEN');
  });
});
