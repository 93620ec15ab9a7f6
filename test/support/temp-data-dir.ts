import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AppConfig } from '../../src/config/app-config';
import { RawEnv, validateEnv } from '../../src/config/env.schema';

/**
 * A validated configuration whose DATA_DIR is a fresh temporary directory, for specs that use the real
 * SQLite database. Call `remove()` in afterEach/afterAll (after closing the database).
 */
export function configWithTempDataDir(env: RawEnv = {}): { config: AppConfig; dataDir: string; remove(): void } {
  const dataDir = mkdtempSync(join(tmpdir(), 'classifier-spec-'));
  return {
    config: validateEnv({ ...env, DATA_DIR: dataDir }),
    dataDir,
    remove: () => rmSync(dataDir, { recursive: true, force: true }),
  };
}
