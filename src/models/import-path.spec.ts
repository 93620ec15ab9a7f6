import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveImportPath } from './import-path';
import { listModelFiles } from './model-files';

describe('resolveImportPath and listModelFiles (MODEL_IMPORT_ROOT)', () => {
  let work: string;
  let root: string;

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'classifier-import-'));
    root = join(work, 'root');
    mkdirSync(join(root, 'model'), { recursive: true });
    writeFileSync(join(root, 'model', 'config.json'), '{}');
    writeFileSync(join(root, 'model', 'model.onnx'), 'x');
    mkdirSync(join(work, 'outside'));
    writeFileSync(join(work, 'outside', 'secret.txt'), 'secret');
    symlinkSync(join(work, 'outside'), join(root, 'link-out'));
    symlinkSync(join(root, 'model'), join(root, 'link-in'));
    mkdirSync(join(root, 'leaky'));
    symlinkSync(join(work, 'outside', 'secret.txt'), join(root, 'leaky', 'model.onnx'));
    writeFileSync(join(root, 'a-file'), 'x');
  });

  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('accepts a directory inside the root, also through a symlink that stays inside', async () => {
    await expect(resolveImportPath(join(root, 'model'), root)).resolves.toEqual({ dir: join(root, 'model'), root });
    await expect(resolveImportPath(join(root, 'link-in'), root)).resolves.toEqual({ dir: join(root, 'model'), root });
  });

  it.each([
    ['a path with ..', () => join(root, '..', 'outside')],
    ['a symlink out of the root', () => join(root, 'link-out')],
    ['the parent of the root', () => work],
    ['a sibling whose name starts like the root', () => `${root}-sibling`],
  ])('refuses %s with MODEL_PATH_FORBIDDEN', async (_case, path) => {
    mkdirSync(`${root}-sibling`, { recursive: true });
    await expect(resolveImportPath(path(), root)).rejects.toMatchObject({ code: 'MODEL_PATH_FORBIDDEN' });
  });

  it('refuses every import while MODEL_IMPORT_ROOT is unset, saying how to enable them', async () => {
    await expect(resolveImportPath(join(root, 'model'), undefined)).rejects.toMatchObject({
      code: 'MODEL_PATH_FORBIDDEN',
      message: expect.stringContaining('set MODEL_IMPORT_ROOT'),
    });
  });

  it('answers MODEL_NOT_FOUND for a missing path or a file', async () => {
    await expect(resolveImportPath(join(root, 'nope'), root)).rejects.toMatchObject({ code: 'MODEL_NOT_FOUND' });
    await expect(resolveImportPath(join(root, 'a-file'), root)).rejects.toMatchObject({ code: 'MODEL_NOT_FOUND' });
  });

  it('refuses a file inside the directory that links outside the root, before reading it', async () => {
    await expect(listModelFiles(join(root, 'leaky'), root)).rejects.toMatchObject({ code: 'MODEL_PATH_FORBIDDEN', message: expect.stringContaining('model.onnx') });
    await expect(listModelFiles(join(root, 'model'), root)).resolves.toEqual(['config.json', 'model.onnx']);
  });
});
