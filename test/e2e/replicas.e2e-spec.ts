/**
 * Three replicas of the compiled server on one PostgreSQL, as behind a load balancer: each process has its own
 * DATA_DIR (nothing shared on disk but the model repository, a ReadWriteMany volume in Kubernetes) and the same
 * DATABASE_URL. The client here plays the load balancer (round robin). Checked: the load reaches all three and
 * each replica's /metrics counts only its own requests; feedback works on a replica that did not make the
 * prediction; the monitoring figures agree across replicas; a job survives kill -9 of a replica working on it and
 * completes exactly once on the others; a model role change made on one replica reaches the others.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { createTestDatabase, type TestDatabase } from '../support/postgres';
import { parseExposition, samples } from '../support/prometheus-text';
import { ChildServer, compileServer, spawnServer } from './support/child-server';
import { makeModelVariant } from './support/model-variants';
import { MAX_JOB_PAGE_SIZE } from '../../src/jobs/dto/job-query.dto';

const TOKEN = 'replica-test-admin-token-0123456789';
const JOB_PAGE = MAX_JOB_PAGE_SIZE;
const AUTH = { authorization: `Bearer ${TOKEN}` };
const TEXTS = [
  'I absolutely loved this movie! The acting was superb.',
  'What a waste of time. The plot made no sense at all.',
  'The service was quick and the food was delicious.',
  'Terrible customer support, I want my money back.',
];

/** Settings shared by the three replicas; short intervals so that propagation is observable within a test. */
function replicaEnv(databaseUrl: string, dataDir: string, repository: string, importRoot: string): Record<string, string> {
  return {
    DATABASE_URL: databaseUrl,
    DATABASE_POOL_SIZE: '4',
    DATA_DIR: dataDir,
    MODEL_REPOSITORY: repository,
    MODEL_IMPORT_ROOT: importRoot,
    ADMIN_TOKEN: TOKEN,
    LOG_LEVEL: 'info',
    JOB_LEASE_SECONDS: '3',
    // Small chunks that each wait ENGINE_MAX_WAIT_MS in the engine for a batch that never fills: a replica holds a
    // lease for at least 40 ms per chunk, so the one killed below is certainly killed holding one.
    JOB_CHUNK_SIZE: '8',
    ENGINE_MAX_WAIT_MS: '40',
    JOB_POLL_INTERVAL_MS: '100',
    MODEL_RECONCILE_SECONDS: '2',
    MONITOR_REFRESH_SECONDS: '1',
    MONITOR_MIN_SAMPLES: '1',
  };
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('three replicas on one PostgreSQL (compiled servers, real engine)', () => {
  let database: TestDatabase;
  let root: string;
  let importRoot: string;
  let replicas: ChildServer[] = [];
  let db: Client;

  beforeAll(async () => {
    await compileServer();
    database = await createTestDatabase();
    root = mkdtempSync(join(tmpdir(), 'classifier-replicas-'));
    importRoot = join(root, 'imports');
    mkdirSync(importRoot);
    const repository = join(root, 'repository');
    // Started one after another: the first registers MODEL_DIR; the others find it registered.
    for (const name of ['a', 'b', 'c']) {
      replicas.push(await spawnServer(replicaEnv(database.url, join(root, name), repository, importRoot)));
    }
    db = new Client({ connectionString: database.url });
    await db.connect();
  });

  afterAll(async () => {
    await db?.end();
    for (const replica of replicas) {
      if (replica.child.exitCode === null && replica.child.signalCode === null) {
        replica.child.kill('SIGTERM');
        await replica.exited;
      }
    }
    await database?.drop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('every replica is ready and serves the same production version', async () => {
    const versions = new Set<string>();
    for (const replica of replicas) {
      expect((await replica.request('GET', '/health/ready')).status).toBe(200);
      const answer = await replica.request('POST', '/sentiment', { json: { text: TEXTS[0] } });
      expect(answer.status).toBe(200);
      versions.add(answer.body.model_version);
    }
    expect(versions.size).toBe(1);
  });

  it('spreads the load over all three; each /metrics counts only its own requests', async () => {
    const before = await Promise.all(replicas.map((replica) => predictionsCounted(replica)));
    const perReplica = 10;
    await Promise.all(
      Array.from({ length: perReplica * replicas.length }, async (_, i) => {
        const answer = await replicas[i % replicas.length].request('POST', '/sentiment', { json: { text: TEXTS[i % TEXTS.length] } });
        expect(answer.status).toBe(200);
      }),
    );
    const after = await Promise.all(replicas.map((replica) => predictionsCounted(replica)));
    after.forEach((count, i) => expect(count - before[i]).toBe(perReplica));
  });

  it('takes feedback on a replica that did not make the prediction, and every replica reports the same figures', async () => {
    const made = await replicas[0].request('POST', '/sentiment', { json: { text: TEXTS[1] } });
    expect(made.status).toBe(200);
    const feedback = await replicas[1].request('POST', '/feedback', {
      json: { prediction_id: made.body.prediction_id, correct_label: 'NEGATIVE' },
    });
    expect(feedback.status).toBe(200);
    expect(feedback.body).toMatchObject({ prediction_id: made.body.prediction_id, correct_label: 'NEGATIVE' });

    // Within the refresh interval every replica reads the same labelled windows from the shared store.
    const figures = await until('the three replicas to agree on the monitoring figures', async () => {
      const views = await Promise.all(replicas.map(async (replica) => (await replica.request('GET', '/monitoring/performance')).body));
      const texts = views.map((view) => JSON.stringify(stripTimes(view)));
      return texts.every((text) => text === texts[0]) && texts[0].includes('"samples":1') ? views[0] : undefined;
    });
    expect(JSON.stringify(figures)).toContain(made.body.model_version);
  });

  it('completes a job exactly once when a replica working on it is killed (kill -9)', async () => {
    const texts = Array.from({ length: 2000 }, (_, i) => `${TEXTS[i % TEXTS.length]} (${i})`);
    const accepted = await replicas[2].request('POST', '/async-sentiment', { json: { texts } });
    expect(accepted.status).toBe(202);
    const id: string = accepted.body.job_id;

    // Kill the replica that holds a lease on a chunk of this job, as soon as one does.
    const victimIndex = await until('a replica to lease a chunk of the job', async () => {
      const progress = (await replicas[0].request('GET', `/job/${id}`)).body;
      if (progress.status === 'completed') throw new Error('the job completed before any replica could be killed: make it longer');
      const holders = await leaseHolders(db, id);
      const index = replicas.findIndex((replica) => holders.has(String(replica.child.pid)));
      return index >= 0 ? index : undefined;
    }, 60_000);
    const victim = replicas[victimIndex];
    victim.child.kill('SIGKILL');
    await victim.exited;
    const survivors = replicas.filter((_, i) => i !== victimIndex);
    replicas = survivors;
    // What the dead replica left behind: texts leased to it and never classified, which only a takeover can finish.
    const orphaned = await db.query<{ idx: number }>(
      `SELECT i.idx FROM job_items i JOIN jobs j ON j.seq = i.job_seq
       WHERE j.id = $1 AND i.label IS NULL AND split_part(i.lease_owner, ':', 2) = $2`,
      [id, String(victim.child.pid)],
    );
    expect(orphaned.rows.length).toBeGreaterThan(0);

    const done = await until(
      'the job to complete on the surviving replicas',
      async () => {
        const { body } = await survivors[0].request('GET', `/job/${id}`);
        return body.status === 'completed' ? body : undefined;
      },
      120_000,
    );
    expect(done.progress).toMatchObject({ done: texts.length, total: texts.length });

    const results: Array<{ index: number; prediction_id: string }> = [];
    for (let offset: number | null = 0; offset !== null; ) {
      const answer = await survivors[1].request('GET', `/job/${id}?offset=${offset}&limit=${JOB_PAGE}`);
      expect(answer.status).toBe(200);
      results.push(...answer.body.results);
      offset = answer.body.page.next_offset;
    }
    expect(results.map((r) => r.index)).toEqual(texts.map((_, i) => i));
    // The orphaned texts were taken over once their lease expired, and classified by a survivor.
    const taken = new Set(orphaned.rows.map((row) => row.idx));
    expect(results.filter((r) => taken.has(r.index)).every((r) => typeof r.prediction_id === 'string')).toBe(true);
    const logged = await db.query<{ n: number; distinct_ids: number }>(
      'SELECT count(*)::int AS n, count(DISTINCT id)::int AS distinct_ids FROM predictions WHERE job_id = $1',
      [id],
    );
    // Exactly one prediction-log record per text: a chunk redone after the kill never duplicates one.
    expect(logged.rows[0]).toEqual({ n: texts.length, distinct_ids: texts.length });
    expect(new Set(results.map((r) => r.prediction_id)).size).toBe(texts.length);
  });

  it('a model activated on one replica reaches the others within seconds', async () => {
    makeModelVariant(join(importRoot, 'v2'), { name: 'demo-sentiment-replica-v2', validation: { samples: 200 } });
    const registered = await replicas[0].request('POST', '/models', { headers: AUTH, json: { model_path: join(importRoot, 'v2') } });
    expect(registered.status).toBe(201);
    const v2: string = registered.body.version;
    const activated = await replicas[0].request('POST', `/models/${encodeURIComponent(v2)}/activate`, { headers: AUTH, json: {} });
    expect(activated.status).toBe(200);

    for (const replica of replicas) {
      await until(`replica ${replica.baseUrl} to serve ${v2}`, async () => {
        const answer = await replica.request('POST', '/sentiment', { json: { text: TEXTS[2] } });
        return answer.status === 200 && answer.body.model_version === v2 ? true : undefined;
      });
      expect((await replica.request('GET', '/health/ready')).status).toBe(200);
    }
  });
});

/** The replica's own count of predictions served (classifier_predictions_total, all labels and sources). */
async function predictionsCounted(replica: ChildServer): Promise<number> {
  const metrics = await replica.request('GET', '/metrics');
  return samples(parseExposition(metrics.text), 'classifier_predictions_total').reduce((sum, sample) => sum + sample.value, 0);
}

/** The monitoring view without the fields that legitimately differ between two reads (when it was computed). */
function stripTimes(view: unknown): unknown {
  return JSON.parse(JSON.stringify(view), (key, value) => (key === 'generated_at' || key === 'refreshed_at' ? undefined : value));
}

/** The process ids of the lease owners (`host:pid:random`) holding chunks of the job now. */
async function leaseHolders(db: Client, jobId: string): Promise<Set<string>> {
  const { rows } = await db.query<{ owner: string }>(
    `SELECT DISTINCT lease_owner AS owner FROM job_items i JOIN jobs j ON j.seq = i.job_seq
     WHERE j.id = $1 AND i.lease_owner IS NOT NULL AND i.label IS NULL`,
    [jobId],
  );
  return new Set(rows.map((row) => row.owner.split(':')[1]));
}
