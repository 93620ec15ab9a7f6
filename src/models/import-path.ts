import { realpath, stat } from 'node:fs/promises';
import { AppError } from '../common/errors/app-error';
import { isInside } from './model-files';

/**
 * Resolves `modelPath` (symlinks followed) and returns it only when it is a directory inside `importRoot`
 * (itself resolved): nothing outside the root is read, whatever `..` or links the path holds. Errors never echo
 * the resolved path (it could reveal the server's layout); they name the caller's own input.
 */
export async function resolveImportPath(modelPath: string, importRoot: string | undefined): Promise<{ dir: string; root: string }> {
  if (importRoot === undefined) {
    throw new AppError('MODEL_PATH_FORBIDDEN', 'Importing model directories is off: set MODEL_IMPORT_ROOT to the directory imports may come from');
  }
  let root: string;
  let resolved: string;
  try {
    root = await realpath(importRoot);
  } catch {
    throw new AppError('MODEL_PATH_FORBIDDEN', 'MODEL_IMPORT_ROOT does not exist on the server; imports are refused');
  }
  try {
    resolved = await realpath(modelPath);
  } catch {
    throw new AppError('MODEL_NOT_FOUND', `model_path ${JSON.stringify(modelPath)} does not exist`);
  }
  if (!isInside(resolved, root)) {
    throw new AppError('MODEL_PATH_FORBIDDEN', `model_path ${JSON.stringify(modelPath)} resolves outside MODEL_IMPORT_ROOT; only directories inside it may be imported`);
  }
  if (!(await stat(resolved)).isDirectory()) {
    throw new AppError('MODEL_NOT_FOUND', `model_path ${JSON.stringify(modelPath)} is not a directory`);
  }
  return { dir: resolved, root };
}
