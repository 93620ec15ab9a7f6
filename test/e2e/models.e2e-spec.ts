import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { trafficBucket } from '../../src/engine/traffic-split';
import { makeModelVariant } from './support/model-variants';
import { HttpResult, startServer, TestServer } from './support/server';

const TOKEN = 'lifecycle-test-admin-token-0123456789';
const AUTH = { authorization: `Bearer ${TOKEN}` };
/** A client key whose stable bucket is 99.x: below any canary percent under 99, it always reaches production. */
const PRODUCTION_KEY = Array.from({ length: 10_000 }, (_, i) => `probe-${i}`).find((key) => trafficBucket(key) >= 99)!;

/**
 * The model lifecycle on the real server and addon: registry, hot swap under load, every refusal, canary,
 * shadow, restart. One server (one DATA_DIR) runs through the describe blocks in order, like an operator would.
 */
describe('model lifecycle (real engine, demo model and variants of it)', () => {
  let work: string;
  let importRoot: string;
  let dataDir: string;
  let server: TestServer;
  let v1: string;
  const env = () => ({
    ADMIN_TOKEN: TOKEN,
    MODEL_IMPORT_ROOT: importRoot,
    MODEL_MIN_ACCURACY: '0.5',
    JOB_CHUNK_SIZE: '8',
    DATA_DIR: dataDir,
  });
  const admin = (method: string, path: string, json?: unknown) => server.request(method, path, { headers: AUTH, json });
  const classify = (text: string, headers: Record<string, string> = {}) => server.request('POST', '/sentiment', { json: { text }, headers });
  /** Production answers and is the expected version (asked with a key that a canary, if any, never takes). */
  const expectServing = async (version: string) => {
    const response = await classify('a fine film', { 'x-client-key': PRODUCTION_KEY });
    expect(response.status).toBe(200);
    expect(response.body.model_version).toBe(version);
    const list = await admin('GET', '/models');
    expect(list.body.models.filter((m: { state: string }) => m.state === 'production').map((m: { version: string }) => m.version)).toEqual([version]);
  };

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'classifier-models-e2e-'));
    importRoot = join(work, 'imports');
    dataDir = join(work, 'data');
    mkdirSync(importRoot);
    makeModelVariant(join(importRoot, 'v2'), { name: 'demo-sentiment-v2' });
    makeModelVariant(join(importRoot, 'v3'), { name: 'demo-sentiment-v3', validation: { samples: 872 } });
    makeModelVariant(join(importRoot, 'relabelled'), { name: 'relabelled', labels: ['BAD', 'GOOD'] });
    makeModelVariant(join(importRoot, 'inaccurate'), { name: 'inaccurate', validation: { samples: 872, flipLabels: true } });
    makeModelVariant(join(importRoot, 'corrupt'), { name: 'corrupt', corruptOnnx: true });
    makeModelVariant(join(importRoot, 'no-tokenizer'), { name: 'no-tokenizer', withoutTokenizer: true });
    makeModelVariant(join(work, 'outside'), { name: 'outside' });
    symlinkSync(join(work, 'outside'), join(importRoot, 'escape-link'));
    makeModelVariant(join(importRoot, 'file-link'), { name: 'file-link' });
    rmSync(join(importRoot, 'file-link', 'model.onnx'));
    symlinkSync(join(work, 'outside', 'model.onnx'), join(importRoot, 'file-link', 'model.onnx'));
    server = await startServer(env());
  }, 60_000);

  afterAll(async () => {
    await server?.close();
    rmSync(work, { recursive: true, force: true });
  });

  it('registers MODEL_DIR at first start and makes it production, in the history', async () => {
    const list = await admin('GET', '/models');
    expect(list.status).toBe(200);
    expect(list.body.models).toHaveLength(1);
    const [model] = list.body.models;
    v1 = model.version;
    expect(model).toMatchObject({ state: 'production', labels: ['NEGATIVE', 'POSITIVE'], source: 'MODEL_DIR', roles: [{ role: 'production' }] });
    expect(model.files.map((f: { name: string }) => f.name)).toEqual(expect.arrayContaining(['config.json', 'model.onnx', 'tokenizer.json']));
    for (const file of model.files) expect(file.sha256).toMatch(/^[0-9a-f]{64}$/);
    // Drift attached the version the registry loaded and built the reference the demo model ships.
    expect(model.drift).toEqual({ status: 'no_window_yet', last_window_closed_at: null, drifted_features: [] });
    await expectServing(v1);
    const history = await admin('GET', '/models/history');
    expect(history.body.entries).toEqual([expect.objectContaining({ action: 'startup', version: v1, outcome: 'ok', detail: expect.stringContaining('first start') })]);
  });

  describe('admin routes need the token', () => {
    it.each([
      ['no token', {}],
      ['a wrong token', { authorization: 'Bearer not-the-configured-admin-token' }],
    ])('%s: 401 UNAUTHORIZED and production unchanged', async (_case, headers) => {
      for (const [method, path, json] of [
        ['GET', '/models', undefined],
        ['POST', '/update-model', { model_path: join(importRoot, 'v2') }],
        ['POST', `/models/${encodeURIComponent(v1)}/activate`, {}],
      ] as const) {
        const response = await server.request(method, path, { headers, json });
        expect(response.status).toBe(401);
        expect(response.body).toMatchObject({ error: { code: 'UNAUTHORIZED' } });
      }
      await expectServing(v1);
    });
  });

  it('public routes never show server paths (only admin callers see manifests and sources)', async () => {
    for (const path of ['/', '/health', '/health/ready', '/docs-json']) {
      const response = await server.request('GET', path);
      expect(response.text).not.toContain(work);
      expect(response.text).not.toContain(dataDir);
    }
  });

  describe('every refusal is a 4xx naming the problem, and production keeps serving', () => {
    it.each([
      ['a corrupt model.onnx', 'corrupt', 422, 'MODEL_INVALID'],
      ['a missing tokenizer.json', 'no-tokenizer', 422, 'FILE_MISSING'],
      ['a label change', 'relabelled', 409, 'MODEL_LABELS_CHANGED'],
      ['validation accuracy below MODEL_MIN_ACCURACY', 'inaccurate', 422, 'MODEL_VALIDATION_FAILED'],
      ['a path outside the import root', '../outside', 403, 'MODEL_PATH_FORBIDDEN'],
      ['a symlink that escapes the import root', 'escape-link', 403, 'MODEL_PATH_FORBIDDEN'],
      ['a file symlink that escapes the import root', 'file-link', 403, 'MODEL_PATH_FORBIDDEN'],
    ])('%s', async (_case, dir, status, code) => {
      const response = await admin('POST', '/update-model', { model_path: join(importRoot, dir) });
      expect({ status: response.status, code: response.body.error?.code }).toEqual({ status, code });
      await expectServing(v1);
    });

    it('the accuracy refusal gives the figure', async () => {
      const response = await admin('POST', '/update-model', { model_path: join(importRoot, 'inaccurate') });
      expect(response.body.error.message).toMatch(/accuracy 0\.\d{4} .*below MODEL_MIN_ACCURACY 0\.5/);
    });

    it('an unknown version: 404 MODEL_VERSION_NOT_FOUND', async () => {
      const response = await admin('POST', '/models/no-such-version/activate', {});
      expect(response.status).toBe(404);
      expect(response.body.error.code).toBe('MODEL_VERSION_NOT_FOUND');
      await expectServing(v1);
    });

    it('a version name reused for other content: 409 MODEL_VERSION_CONFLICT', async () => {
      expect((await admin('POST', '/models', { model_path: join(importRoot, 'v2'), version_name: 'taken' })).status).toBe(201);
      const response = await admin('POST', '/models', { model_path: join(importRoot, 'v3'), version_name: 'taken' });
      expect(response.status).toBe(409);
      expect(response.body.error.code).toBe('MODEL_VERSION_CONFLICT');
      expect((await admin('DELETE', '/models/taken')).status).toBe(204);
    });

    it('the refusals are in the history with their reasons', async () => {
      const history = await admin('GET', '/models/history?limit=1000');
      const refused = history.body.entries.filter((e: { outcome: string }) => e.outcome === 'refused');
      expect(refused.map((e: { detail: string }) => e.detail)).toEqual(
        expect.arrayContaining([expect.stringContaining('labels'), expect.stringContaining('MODEL_IMPORT_ROOT'), expect.stringContaining('accuracy')]),
      );
    });
  });

  describe('hot swap', () => {
    let v2: string;

    it('registers without activating, then activates with the previous version in the answer', async () => {
      const registered = await admin('POST', '/models', { model_path: join(importRoot, 'v2'), notes: 'second version' });
      expect(registered.status).toBe(201);
      expect(registered.body).toMatchObject({ state: 'registered', notes: 'second version', loaded_at: null });
      v2 = registered.body.version;
      expect(v2).not.toBe(v1);
      await expectServing(v1);
      const activated = await admin('POST', `/models/${encodeURIComponent(v2)}/activate`, {});
      expect(activated.status).toBe(200);
      expect(activated.body).toMatchObject({ version: v2, previous_version: v1, warm: false });
      await expectServing(v2);
      // Like every POST of this API, the body is a JSON object: {} when no option is given.
      const rolledBack = await admin('POST', '/models/rollback', {});
      expect(rolledBack.status).toBe(200);
      expect(rolledBack.body).toMatchObject({ version: v1, previous_version: v2 });
      await expectServing(v1);
    });

    it('swaps and rolls back 10 times under 32 clients without pause: every response 2xx from one of the two versions; a job spanning the swaps completes with per-result versions', async () => {
      const texts = Array.from({ length: 1500 }, (_, i) => `review number ${i}: the plot was ${i % 2 ? 'great' : 'dull'}`);
      const job = await server.request('POST', '/async-sentiment', { json: { texts } });
      expect(job.status).toBe(202);
      let stop = false;
      const seen = new Map<string, number>();
      const failures: HttpResult[] = [];
      const client = async (id: number) => {
        for (let i = 0; !stop; i++) {
          const response = await classify(`client ${id} request ${i} was fine`);
          if (response.status !== 200) failures.push(response);
          else seen.set(response.body.model_version, (seen.get(response.body.model_version) ?? 0) + 1);
        }
      };
      const clients = Array.from({ length: 32 }, (_, id) => client(id));
      for (let round = 0; round < 10; round++) {
        const up = await admin('POST', `/models/${encodeURIComponent(v2)}/activate`, {});
        expect(up.status).toBe(200);
        await new Promise((resolve) => setTimeout(resolve, 100));
        const down = await admin('POST', '/models/rollback', {});
        expect(down.status).toBe(200);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      stop = true;
      await Promise.all(clients);
      expect(failures.map((f) => `${f.status} ${f.text}`)).toEqual([]);
      expect([...seen.keys()].sort()).toEqual([v1, v2].sort());
      let status: HttpResult;
      do {
        await new Promise((resolve) => setTimeout(resolve, 200));
        status = await server.request('GET', `/job/${job.body.job_id}?limit=1000`);
      } while (status.body.status !== 'completed' && status.body.status !== 'failed');
      expect(status.body.status).toBe('completed');
      const versions = new Set<string>();
      for (let offset = 0; offset < texts.length; offset += 1000) {
        const page = await server.request('GET', `/job/${job.body.job_id}?offset=${offset}&limit=1000`);
        for (const result of page.body.results) versions.add(result.model_version ?? page.body.model_version);
      }
      expect([...versions].every((v) => v === v1 || v === v2)).toBe(true);
      const swaps = (await admin('GET', '/models/history?limit=1000')).body.entries.filter(
        (e: { action: string; outcome: string }) => (e.action === 'activate' || e.action === 'rollback') && e.outcome === 'ok',
      );
      expect(swaps.length).toBeGreaterThanOrEqual(22);
      await expectServing(v1);
    }, 180_000);

    it('a second activation while one runs is refused with ACTIVATION_IN_PROGRESS, and the first completes', async () => {
      const v3 = (await admin('POST', '/models', { model_path: join(importRoot, 'v3') })).body.version;
      const [first, second] = await Promise.all([
        admin('POST', `/models/${encodeURIComponent(v3)}/activate`, {}),
        new Promise((resolve) => setTimeout(resolve, 20)).then(() => admin('POST', `/models/${encodeURIComponent(v2)}/activate`, {})),
      ]);
      expect(first.status).toBe(200);
      expect(first.body.validation_accuracy).toBeGreaterThanOrEqual(0.5);
      expect(second.status).toBe(409);
      expect(second.body.error.code).toBe('ACTIVATION_IN_PROGRESS');
      await expectServing(v3);
      expect((await admin('POST', `/models/${encodeURIComponent(v1)}/activate`, {})).status).toBe(200);
      await expectServing(v1);
    });

    it('refuses to delete a version with a role, deletes one without', async () => {
      const inUse = await admin('DELETE', `/models/${encodeURIComponent(v1)}`);
      expect(inUse.status).toBe(409);
      expect(inUse.body.error.code).toBe('MODEL_VERSION_IN_USE');
      const extra = (await admin('POST', '/models', { model_path: join(importRoot, 'v2'), version_name: 'disposable' })).body.version;
      expect((await admin('DELETE', `/models/${extra}`)).status).toBe(204);
      expect((await admin('GET', `/models/${extra}`)).status).toBe(404);
    });
  });

  describe('canary', () => {
    let v2: string;
    beforeAll(async () => {
      v2 = (await admin('POST', '/models', { model_path: join(importRoot, 'v2') })).body.version;
    });

    it('serves its percent of keyless requests within binomial tolerance, and a client key always the same version', async () => {
      const set = await admin('PUT', '/models/canary', { version: v2, percent: 30 });
      expect(set.status).toBe(200);
      expect(set.body).toMatchObject({ state: 'canary', roles: [{ role: 'canary', traffic: 30 }] });
      const n = 1200;
      let canary = 0;
      for (let batch = 0; batch < n / 40; batch++) {
        const responses = await Promise.all(Array.from({ length: 40 }, (_, i) => classify(`text ${batch}-${i}`)));
        for (const r of responses) {
          expect(r.status).toBe(200);
          expect([v1, v2]).toContain(r.body.model_version);
          if (r.body.model_version === v2) canary++;
        }
      }
      // Four standard deviations of a binomial share at n = 1200, p = 0.3 (sd = 0.0132).
      expect(Math.abs(canary / n - 0.3)).toBeLessThan(4 * Math.sqrt((0.3 * 0.7) / n));
      for (const key of ['alice', 'bob', 'carol', 'dave', 'erin']) {
        const versions = new Set<string>();
        for (let i = 0; i < 15; i++) versions.add((await classify(`keyed ${i}`, { 'x-client-key': key })).body.model_version);
        expect(versions.size).toBe(1);
      }
    }, 120_000);

    it('DELETE sends all traffic back to production; promote makes the canary production', async () => {
      expect((await admin('DELETE', '/models/canary')).status).toBe(204);
      const after = await Promise.all(Array.from({ length: 60 }, (_, i) => classify(`after ${i}`)));
      expect(new Set(after.map((r) => r.body.model_version))).toEqual(new Set([v1]));
      expect((await admin('PUT', '/models/canary', { version: v2, percent: 50 })).status).toBe(200);
      const promoted = await admin('POST', '/models/canary/promote', {});
      expect(promoted.body).toMatchObject({ version: v2, previous_version: v1, warm: true });
      await expectServing(v2);
      expect((await admin('POST', '/models/canary/promote', {})).body.error.code).toBe('MODEL_ROLE_EMPTY');
    });
  });

  describe('shadow', () => {
    it('never changes a response body or status, and reports agreement and confusion', async () => {
      const texts = Array.from({ length: 40 }, (_, i) => `shadow probe ${i}: ${i % 3 ? 'loved it' : 'hated it'}`);
      const strip = (r: HttpResult) => ({ status: r.status, label: r.body.label, score: r.body.score, model_version: r.body.model_version });
      const before = await Promise.all(texts.map((t) => classify(t)));
      const v3 = (await admin('POST', '/models', { model_path: join(importRoot, 'v3') })).body.version;
      const set = await admin('PUT', '/models/shadow', { version: v3, sample_rate: 1 });
      expect(set.status).toBe(200);
      const during = await Promise.all(texts.map((t) => classify(t)));
      expect(during.map(strip)).toEqual(before.map(strip));
      let report: HttpResult;
      do {
        await new Promise((resolve) => setTimeout(resolve, 100));
        report = await admin('GET', `/models/${encodeURIComponent(v3)}`);
      } while (report.body.shadow.current.compared + report.body.shadow.dropped < texts.length);
      expect(report.body.state).toBe('shadow');
      const { current } = report.body.shadow;
      expect(current.compared).toBeGreaterThan(0);
      // Same weights as production: they agree on every text they both classified.
      expect(current.agreement).toBe(1);
      const confused = Object.values(current.confusion as Record<string, Record<string, number>>).flatMap((row) => Object.values(row));
      expect(confused.reduce((a, b) => a + b, 0)).toBe(current.compared);
      const metrics = (await server.request('GET', '/metrics')).text;
      const value = (pattern: RegExp) => Number(pattern.exec(metrics)?.[1]);
      expect(value(/^classifier_shadow_compared_total (\d+)/m)).toBe(current.compared);
      expect(value(/^classifier_shadow_agreement (\S+)/m)).toBe(1);
      expect(metrics).toContain(`classifier_model_role_info{model_version="${v3}",role="shadow"} 1`);
      expect(value(/^classifier_model_swaps_total (\d+)/m)).toBeGreaterThanOrEqual(20);
      expect(value(/^classifier_model_loads_total\{outcome="refused"\} (\d+)/m)).toBeGreaterThan(0);
      expect(value(/^classifier_model_load_seconds_count\{temperature="warm"\} (\d+)/m)).toBeGreaterThan(0);
      expect((await admin('DELETE', '/models/shadow')).status).toBe(204);
    }, 60_000);
  });

  describe('restart', () => {
    it('keeps roles and history when MODEL_DIR is unchanged', async () => {
      const before = await admin('GET', '/models');
      const production = before.body.models.find((m: { state: string }) => m.state === 'production').version;
      expect(production).not.toBe(v1);
      const historyBefore = (await admin('GET', '/models/history?limit=1000')).body.entries;
      expect((await admin('PUT', '/models/canary', { version: v1, percent: 10 })).status).toBe(200);
      await server.close();
      server = await startServer(env());
      await expectServing(production);
      const after = await admin('GET', '/models');
      expect(after.body.models.find((m: { version: string }) => m.version === v1)).toMatchObject({ state: 'canary', roles: expect.arrayContaining([expect.objectContaining({ role: 'canary', traffic: 10 })]) });
      const historyAfter = (await admin('GET', '/models/history?limit=1000')).body.entries;
      expect(historyAfter.slice(-historyBefore.length)).toEqual(historyBefore);
    }, 60_000);

    it('a changed MODEL_DIR is registered and made production, said in the log and the history', async () => {
      await server.close();
      const newDir = makeModelVariant(join(work, 'deployed-v4'), { name: 'deployed-v4' });
      writeFileSync(join(newDir, 'NOTES.txt'), 'new image');
      server = await startServer({ ...env(), MODEL_DIR: newDir });
      const response = await classify('a fine film', { 'x-client-key': PRODUCTION_KEY });
      expect(response.body.model_version).toMatch(/^deployed-v4@/);
      const [latest] = (await admin('GET', '/models/history?limit=1')).body.entries;
      expect(latest).toMatchObject({ action: 'startup', outcome: 'ok', detail: expect.stringContaining('MODEL_DIR content changed') });
    }, 60_000);

    it('without ADMIN_TOKEN the model routes answer 403 ADMIN_DISABLED saying how to enable them, and serving goes on', async () => {
      const production = (await classify('a fine film', { 'x-client-key': PRODUCTION_KEY })).body.model_version;
      await server.close();
      const { ADMIN_TOKEN: _token, ...withoutToken } = env();
      server = await startServer({ ...withoutToken, MODEL_DIR: join(work, 'deployed-v4') });
      const refused = await server.request('GET', '/models');
      expect(refused.status).toBe(403);
      expect(refused.body.error).toMatchObject({ code: 'ADMIN_DISABLED', message: expect.stringContaining('set ADMIN_TOKEN') });
      expect((await server.request('POST', '/models/rollback', { headers: AUTH })).status).toBe(403);
      expect((await classify('a fine film', { 'x-client-key': PRODUCTION_KEY })).body.model_version).toBe(production);
    }, 60_000);
  });
});
