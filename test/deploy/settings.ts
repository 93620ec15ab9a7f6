import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..', '..');

/** The settings docs/configuration.md documents (first column of its settings tables). */
export function knownSettings(): Set<string> {
  const text = readFileSync(join(ROOT, 'docs', 'configuration.md'), 'utf8');
  const names = [...text.matchAll(/^\|\s*`([A-Z][A-Z0-9_]*)`\s*\|/gm)].map((m) => m[1]);
  if (names.length < 10) throw new Error('docs/configuration.md: fewer than 10 settings found; did its table change shape?');
  return new Set(names);
}
