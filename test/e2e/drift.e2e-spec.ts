/**
 * Drift detection on the real compiled server, real engine (the demo model, copied to a temp dir with a
 * drift_reference.txt made of SST-2 dev sentences read from ../shared/realdata at test time):
 * - more held-out SST-2 sentences (the reference's own source): every window `ok`;
 * - tweets (TweetEval, another register: mentions, hashtags, links): every window `drift`, naming the moved
 *   features, one "Drift started" log line, and the drift metrics;
 * - a restart on the same DATA_DIR keeps the windows and the reference (not rebuilt);
 * - PUT /monitoring/drift/reference needs the admin token, then replaces the reference and starts a new window.
 * Small windows (DRIFT_WINDOW_SIZE=100) keep it quick.
 */
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { demoEmbeddingDim } from '../native/demo-fixture';
import { realdata } from '../native/realdata';
import { ChildServer, compileServer, spawnServer } from './support/child-server';

const WINDOW = 100;
const ADMIN_TOKEN = 'drift-e2e-admin-token-0123456789';

function sst2Sentences(): string[] {
  return readFileSync(realdata('corpora', 'sst2-dev.tsv'), 'utf8')
    .split('\n')
    .slice(1)
    .map((line) => line.split('\t')[0].trim())
    .filter((text) => text.length > 0);
}

function tweets(): string[] {
  return readFileSync(realdata('train', 'tweeteval_sentiment', 'val_text.txt'), 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((text) => text.length > 0);
}

interface Test {
  feature: string;
  test: string;
  statistic: number;
  p_value: number;
  adjusted_p_value: number;
  drifted: boolean;
}
interface Window {
  sequence: number;
  status: string;
  size: number;
  tests: Test[];
}

describe('drift detection (compiled server, real engine, real text)', () => {
  let modelDir: string;
  let dataDir: string;
  const servers: ChildServer[] = [];
  const sentences = sst2Sentences();
  const referenceTexts = sentences.slice(0, 600);
  const heldOut = sentences.slice(600, 600 + 2 * WINDOW);
  const shifted = tweets().slice(0, 2 * WINDOW);
  const env = () => ({ DATA_DIR: dataDir, MODEL_DIR: modelDir, DRIFT_WINDOW_SIZE: String(WINDOW), ADMIN_TOKEN, LOG_LEVEL: 'info' });

  beforeAll(async () => {
    await compileServer();
    const demo = resolve(__dirname, '..', '..', 'models', 'demo-sentiment');
    modelDir = mkdtempSync(join(tmpdir(), 'drift-e2e-model-'));
    // The demo model ships its own drift reference and projection-fit texts; this test supplies its own reference
    // and lets the projection be fitted on a seeded half of it, so it controls every text involved.
    for (const file of readdirSync(demo)) {
      if (!file.startsWith('drift_')) copyFileSync(join(demo, file), join(modelDir, file));
    }
    writeFileSync(join(modelDir, 'drift_reference.txt'), referenceTexts.join('\n') + '\n');
    dataDir = mkdtempSync(join(tmpdir(), 'drift-e2e-data-'));
  });

  afterAll(async () => {
    for (const server of servers) {
      if (server.child.exitCode === null && server.child.signalCode === null) {
        server.child.kill('SIGKILL');
        await server.exited;
      }
    }
    rmSync(modelDir, { recursive: true, force: true });
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function send(server: ChildServer, texts: string[]): Promise<void> {
    for (let i = 0; i < texts.length; i += 50) {
      const response = await server.request('POST', '/batch-sentiment', { json: { texts: texts.slice(i, i + 50) } });
      expect(response.status).toBe(200);
    }
  }

  async function windowsOnceThereAre(server: ChildServer, count: number): Promise<{ version: Record<string, any>; windows: Window[] }> {
    for (let attempt = 0; ; attempt++) {
      const { status, body } = await server.request('GET', '/monitoring/drift');
      expect(status).toBe(200);
      const version = body.versions[0];
      if (version.windows.length >= count) return { version, windows: version.windows as Window[] };
      if (attempt > 600) throw new Error(`only ${version.windows.length} of ${count} drift windows after 60 s: ${JSON.stringify(body)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  let before: Window[];
  let referenceCreated: string;

  it('builds the reference from the model directory, finds in-distribution windows ok and tweets drifting', async () => {
    const server = await spawnServer(env());
    servers.push(server);
    await server.waitFor(/Drift reference of \S+: 300 texts from .*drift_reference\.txt, embeddings projected to 32 dimensions \(fitted on 300 other texts\)/);

    await send(server, heldOut);
    const inDistribution = await windowsOnceThereAre(server, 2);
    expect(inDistribution.windows.map((w) => [w.sequence, w.status, w.size])).toEqual([
      [2, 'ok', WINDOW],
      [1, 'ok', WINDOW],
    ]);

    await send(server, shifted);
    const { version, windows } = await windowsOnceThereAre(server, 4);
    expect(windows.slice(0, 2).map((w) => [w.sequence, w.status])).toEqual([
      [4, 'drift'],
      [3, 'drift'],
    ]);
    const moved = new Set<string>();
    for (const window of windows.slice(0, 2)) {
      const drifted = window.tests.filter((t) => t.drifted);
      expect(drifted.length).toBeGreaterThan(0);
      for (const t of drifted) {
        expect(t.adjusted_p_value).toBeLessThan(0.05);
        moved.add(t.feature);
      }
    }
    // Tweets carry mentions, hashtags, links and emoji: far more non-letter characters than review sentences.
    expect(moved).toContain('non_letter_share');
    for (const window of windows) {
      expect(window.tests.length).toBe(32 + 5 + 3); // projected components, scalars, label, truncated, MMD
      for (const t of window.tests) expect(t.adjusted_p_value).toBeGreaterThanOrEqual(t.p_value);
    }
    expect(version.drifting).toBe(true);
    expect(version.embedding).toEqual({ output: 'sentence_embedding', dim: demoEmbeddingDim(), projected_dim: 32 });
    expect(version.reference).toMatchObject({ status: 'ready', size: 300, source: 'file', projection_fit_size: 300 });
    expect(version.current_window).toEqual({ size: 0, capacity: WINDOW, started_at: null });
    expect(server.messages().match(/Drift started on model version/g)).toHaveLength(1);
    expect(server.messages()).toMatch(/Drift started on model version \S+: .*non_letter_share/);

    const metrics = (await server.request('GET', '/metrics')).text;
    const versionLabel = `model_version="${version.model_version}"`;
    expect(metrics).toContain(`classifier_drift_detected{${versionLabel}} 1`);
    expect(metrics).toMatch(new RegExp(`classifier_drift_p_value\\{${versionLabel},feature="non_letter_share",test="ks"\\} [0-9.e-]+`));
    expect(metrics).toMatch(new RegExp(`classifier_drift_statistic\\{${versionLabel},feature="embedding",test="mmd"\\} [0-9.e-]+`));
    expect(metrics).toContain(`classifier_drift_window_fill{${versionLabel}} 0`);
    expect(metrics).toContain(`classifier_drift_evaluation_seconds_count{${versionLabel}} 4`);
    expect(metrics).toMatch(new RegExp(`classifier_drift_last_evaluation_timestamp_seconds\\{${versionLabel}\\} \\d+`));

    before = windows;
    referenceCreated = version.reference.created_at;
    server.child.kill('SIGTERM');
    await server.exited;
  });

  it('keeps the windows and the reference across a restart', async () => {
    const server = await spawnServer(env());
    servers.push(server);
    const { version, windows } = await windowsOnceThereAre(server, 4);
    expect(windows).toEqual(before);
    expect(version.reference).toMatchObject({ status: 'ready', source: 'file', created_at: referenceCreated });
    expect(version.drifting).toBe(true);
    expect(server.messages()).not.toMatch(/Drift reference of/); // read from the database, not rebuilt

    const unauthorized = await server.request('PUT', '/monitoring/drift/reference', { json: { texts: heldOut } });
    expect(unauthorized.status).toBe(401);
    expect(unauthorized.body.error.code).toBe('UNAUTHORIZED');

    await send(server, shifted.slice(0, 10));
    const replaced = await server.request('PUT', '/monitoring/drift/reference', {
      json: { texts: shifted.slice(0, 120) },
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    expect(replaced.status).toBe(200);
    expect(replaced.body).toEqual({
      model_version: version.model_version,
      reference: expect.objectContaining({ status: 'ready', size: 60, source: 'admin', projection_fit_size: 60 }),
    });
    const after = (await server.request('GET', `/monitoring/drift?model_version=${encodeURIComponent(version.model_version)}&history=1`)).body;
    expect(after.versions[0].current_window.size).toBe(0);
    expect(after.versions[0].windows).toHaveLength(1);

    // Async jobs count too (DRIFT_SOURCES includes job by default): their predictions reach the open window.
    const job = await server.request('POST', '/async-sentiment', { json: { texts: heldOut.slice(0, 7) } });
    expect(job.status).toBe(202);
    for (let attempt = 0; (await server.request('GET', `/job/${job.body.job_id}`)).body.status !== 'completed'; attempt++) {
      if (attempt > 300) throw new Error('the job did not complete in 30 s');
      await new Promise((r) => setTimeout(r, 100));
    }
    const withJob = (await server.request('GET', '/monitoring/drift')).body;
    expect(withJob.versions[0].current_window.size).toBe(7);
    server.child.kill('SIGTERM');
    await server.exited;
  });
});
