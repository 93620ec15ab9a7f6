import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import { basename, join, sep } from 'node:path';
import { AppError } from '../common/errors/app-error';
import { MANIFEST_FILE, ManifestFile } from './model-manifest';

/**
 * The files of a model directory that make up a version: its top-level regular files (a model directory as
 * `optimum-cli export` writes it is flat), sorted by name. Sub-directories and dot-files are not part of a
 * version. Symbolic links are followed (Hugging Face caches are made of them), but with `allowedRoot` (imports
 * over HTTP) one whose target lies outside that root is refused before anything is read.
 */
export async function listModelFiles(dir: string, allowedRoot?: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const names: string[] = [];
  for (const entry of entries) {
    if (entry.name === MANIFEST_FILE || entry.name.startsWith('.')) continue;
    if (entry.isSymbolicLink()) {
      const target = await realpath(join(dir, entry.name)).catch(() => undefined);
      if (target === undefined) continue;
      if (allowedRoot !== undefined && !isInside(target, allowedRoot)) {
        throw new AppError('MODEL_PATH_FORBIDDEN', `${entry.name} in model_path is a symbolic link that resolves outside MODEL_IMPORT_ROOT`);
      }
      if (!(await stat(target)).isFile()) continue;
    } else if (!entry.isFile()) {
      continue;
    }
    names.push(entry.name);
  }
  return names.sort();
}

/** Each of `names` in `dir`, hashed by streaming it (a large model.onnx never lands in memory at once). */
export async function hashModelFiles(dir: string, names?: readonly string[]): Promise<ManifestFile[]> {
  const files: ManifestFile[] = [];
  for (const name of names ?? (await listModelFiles(dir))) {
    const path = join(dir, name);
    const hash = createHash('sha256');
    for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
    files.push({ name, sha256: hash.digest('hex'), bytes: (await stat(path)).size });
  }
  return files;
}

/** SHA-256 over the files' names and hashes: equal for equal content, whatever the directory. */
export function contentDigest(files: readonly ManifestFile[]): string {
  const hash = createHash('sha256');
  for (const file of files) hash.update(`${file.name}\0${file.sha256}\n`);
  return hash.digest('hex');
}

/** The model's name as the engine reports it: config.json's `_name_or_path`, else the directory's base name. */
export async function modelNameOf(dir: string): Promise<string> {
  try {
    const config = JSON.parse(await readFile(join(dir, 'config.json'), 'utf8')) as { _name_or_path?: unknown };
    if (typeof config._name_or_path === 'string' && config._name_or_path.trim()) return config._name_or_path.trim();
  } catch {
    // No or unreadable config.json: the engine reports the load error itself; the name falls back like the engine's.
  }
  return basename(dir);
}

/** Whether the resolved `path` is `root` or lies under it (both already resolved). */
export function isInside(path: string, root: string): boolean {
  return path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);
}
