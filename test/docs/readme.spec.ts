import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ERROR_HTTP } from '../../src/common/errors/error-codes';
import { SETTINGS } from '../../src/config/env.schema';
import { ENDPOINTS } from '../../src/root/root.service';

/**
 * The README and docs/ are the operator's manual: these checks fail when a setting, a route or an error code exists
 * in the code but not in the documentation, so it cannot silently fall behind. The README stays one screen; the
 * reference tables live in docs/*.md.
 */
const ROOT = resolve(__dirname, '..', '..');
const DOCS = [join(ROOT, 'README.md'), ...readdirSync(join(ROOT, 'docs'), { recursive: true })
  .map(String)
  .filter((name) => name.endsWith('.md'))
  .map((name) => join(ROOT, 'docs', name))];
const PAGES = DOCS.map((path) => readFileSync(path, 'utf8'));

/**
 * The rows of every documentation table whose header row starts with `| <firstHeader> |`, keyed by their first
 * cell. Several tables may share a header (a feature's page may hold its own settings table).
 */
function tableRows(firstHeader: string): Map<string, string> {
  const rows = new Map<string, string>();
  for (const page of PAGES) {
    const lines = page.split('\n');
    lines.forEach((line, start) => {
      if (!line.startsWith(`| ${firstHeader} |`)) return;
      for (const row of lines.slice(start + 2)) {
        if (!row.startsWith('|')) break;
        const [first] = row.split('|').slice(1, 2).map((cell) => cell.trim());
        rows.set(first, `${rows.get(first) ?? ''}${row}`);
      }
    });
  }
  if (rows.size === 0) throw new Error(`No documentation table has "${firstHeader}" as its first column`);
  return rows;
}

describe('README and docs/ document', () => {
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
