import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ERROR_HTTP } from '../../src/common/errors/error-codes';
import { SETTINGS } from '../../src/config/env.schema';
import { ENDPOINTS } from '../../src/root/root.service';

/**
 * The README is the operator's manual: these checks fail when a setting, a route or an error code exists in the
 * code but not in the README, so the documentation cannot silently fall behind.
 */
const README = readFileSync(resolve(__dirname, '..', '..', 'README.md'), 'utf8');

/** The rows of the README table whose header row starts with `| <firstHeader> |`, keyed by their first cell. */
function tableRows(firstHeader: string): Map<string, string> {
  const lines = README.split('\n');
  const start = lines.findIndex((line) => line.startsWith(`| ${firstHeader} |`));
  if (start < 0) throw new Error(`README has no table whose first column is "${firstHeader}"`);
  const rows = new Map<string, string>();
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) break;
    const [first] = line.split('|').slice(1, 2).map((cell) => cell.trim());
    rows.set(first, line);
  }
  return rows;
}

describe('README documents', () => {
  it.each(SETTINGS.map((s) => s.env))('the setting %s in the settings table', (env) => {
    expect([...tableRows('variable').keys()]).toContain(`\`${env}\``);
  });

  it.each(ENDPOINTS.map((e) => `${e.method} ${e.path}`))('the route %s in the HTTP API table', (route) => {
    expect([...tableRows('route').keys()]).toContain(`\`${route}\``);
  });

  it.each(Object.keys(ERROR_HTTP))('the error code %s with its status', (code) => {
    const status = String(ERROR_HTTP[code as keyof typeof ERROR_HTTP].status);
    const row = tableRows('status').get(status);
    expect(row).toBeDefined();
    expect(row).toContain(`\`${code}\``);
  });
});
