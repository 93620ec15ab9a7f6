import { resolve } from 'node:path';

/**
 * The project root, resolved from this file's location so it is the same whether the code runs from src/
 * (ts-jest) or from dist/ (compiled): both are one level below the root, and this file is in `<src|dist>/config`.
 */
export const PROJECT_ROOT = resolve(__dirname, '..', '..');

/** The project's demo model, used when MODEL_DIR is not set. */
export const DEFAULT_MODEL_DIR = resolve(PROJECT_ROOT, 'models', 'demo-sentiment');

/** Where the SQLite database lives when DATA_DIR is not set: `data/` under the working directory. */
export const DEFAULT_DATA_DIR = resolve('data');
