import { Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AppConfig } from '../config/app-config';
import { MANIFEST_FILE, ModelManifest } from './model-manifest';

/** Names a caller may give a version: no path separators, nothing that could step out of the registry. */
export const VERSION_NAME = /^[A-Za-z0-9][A-Za-z0-9._@+-]{0,127}$/;

/**
 * The registry on disk (MODEL_REPOSITORY, default <DATA_DIR>/models): one directory per version holding the
 * model's files as copied in and manifest.json. A directory becomes a version when its manifest is written,
 * last; directories without one (a registration cut short) are removed at startup. Nothing here decides rules
 * (ModelsService does); this is the file I/O.
 */
@Injectable()
export class ModelRepository {
  private readonly logger = new Logger(ModelRepository.name);
  readonly root: string;
  private readonly manifests = new Map<string, ModelManifest>();
  private readonly dirs = new Map<string, string>();

  constructor(config: AppConfig) {
    this.root = config.modelRepository ?? join(config.dataDir, 'models');
  }

  /** Creates the registry, removes unfinished registrations and reads every manifest. */
  async open(): Promise<void> {
    await mkdir(this.root, { recursive: true });
    this.manifests.clear();
    this.dirs.clear();
    for (const entry of await readdir(this.root, { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      const dir = join(this.root, entry.name);
      const manifestPath = join(dir, MANIFEST_FILE);
      if (!existsSync(manifestPath)) {
        this.logger.warn(`Removing ${dir}: a registration that did not finish (no ${MANIFEST_FILE})`);
        await rm(dir, { recursive: true, force: true });
        continue;
      }
      const manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as ModelManifest;
      this.manifests.set(manifest.version, manifest);
      this.dirs.set(manifest.version, dir);
    }
  }

  /**
   * Re-reads the registry for versions another replica registered or deleted (a MODEL_REPOSITORY shared by
   * several replicas). Unlike `open`, it removes nothing: a directory without a manifest may be a registration
   * another replica is copying right now.
   */
  async rescan(): Promise<void> {
    const found = new Map<string, { manifest: ModelManifest; dir: string }>();
    for (const entry of await readdir(this.root, { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      const dir = join(this.root, entry.name);
      let manifest: ModelManifest;
      try {
        manifest = JSON.parse(await readFile(join(dir, MANIFEST_FILE), 'utf8')) as ModelManifest;
      } catch {
        continue; // unfinished (no manifest yet) or being deleted
      }
      const known = this.dirs.get(manifest.version);
      // Two directories of one version (replicas registering it at once): keep the one already in use.
      if (!found.has(manifest.version) || known === dir) found.set(manifest.version, { manifest, dir });
    }
    this.manifests.clear();
    this.dirs.clear();
    for (const [version, { manifest, dir }] of found) {
      this.manifests.set(version, manifest);
      this.dirs.set(version, dir);
    }
  }

  list(): ModelManifest[] {
    return [...this.manifests.values()].sort((a, b) => a.registered_at.localeCompare(b.registered_at));
  }

  get(version: string): ModelManifest | undefined {
    return this.manifests.get(version);
  }

  /** The version's directory (the engine loads it from there). */
  dirOf(version: string): string | undefined {
    return this.dirs.get(version);
  }

  /**
   * Copies the files `names` of `sourceDir` into a new directory of the registry that is not yet a version (no
   * manifest), and returns it. The caller hashes and loads the copies, then `commit`s the manifest or
   * `discard`s the directory.
   */
  async stage(version: string, sourceDir: string, names: readonly string[]): Promise<string> {
    const dir = join(this.root, `${version.replace(/[^A-Za-z0-9._@+-]/g, '_')}.${randomUUID().slice(0, 8)}`);
    await mkdir(dir, { recursive: false });
    try {
      for (const name of names) await copyFile(join(sourceDir, name), join(dir, name));
    } catch (error) {
      await this.discard(dir);
      throw error;
    }
    return dir;
  }

  /** Writes the manifest (atomically: temp file, then rename), which makes the staged directory a version. */
  async commit(dir: string, manifest: ModelManifest): Promise<void> {
    const temp = join(dir, `.${MANIFEST_FILE}.tmp`);
    await writeFile(temp, JSON.stringify(manifest, null, 2) + '\n');
    await rename(temp, join(dir, MANIFEST_FILE));
    this.manifests.set(manifest.version, manifest);
    this.dirs.set(manifest.version, dir);
  }

  async discard(dir: string): Promise<void> {
    await rm(dir, { recursive: true, force: true });
  }

  /** Deletes a version: its manifest first (so a crash midway leaves an unfinished directory, cleaned at startup). */
  async remove(version: string): Promise<void> {
    const dir = this.dirs.get(version);
    if (!dir) return;
    this.manifests.delete(version);
    this.dirs.delete(version);
    await rm(join(dir, MANIFEST_FILE), { force: true });
    await rm(dir, { recursive: true, force: true });
  }
}
