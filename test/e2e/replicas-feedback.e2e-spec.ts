import { createTestDatabase, type TestDatabase } from '../support/postgres';
import { startServer, type TestServer } from './support/server';

/**
 * Two replicas of the real application on one PostgreSQL database: a prediction made on one takes feedback on the
 * other, and /monitoring/performance agrees on both within MONITOR_REFRESH_SECONDS.
 */
describe('Feedback and monitoring across replicas (PostgreSQL)', () => {
  let database: TestDatabase;
  let a: TestServer;
  let b: TestServer;

  beforeAll(async () => {
    database = await createTestDatabase();
    // Windows of 30 days: the seconds of this file cannot straddle a boundary (short of one chance in a million).
    const env = { DATABASE_URL: database.url, MONITOR_REFRESH_SECONDS: '1', MONITOR_WINDOW_MINUTES: '43200', MONITOR_MIN_SAMPLES: '2' };
    a = await startServer(env);
    b = await startServer(env);
  });

  afterAll(async () => {
    await a?.close();
    await b?.close();
    await database?.drop();
  });

  async function performanceOnBoth(): Promise<[unknown, unknown]> {
    const [onA, onB] = await Promise.all([a.request('GET', '/monitoring/performance'), b.request('GET', '/monitoring/performance')]);
    expect([onA.status, onB.status]).toEqual([200, 200]);
    return [onA.body.models, onB.body.models];
  }

  it('takes feedback on one replica for a prediction made on the other, and both report the same figures', async () => {
    const predicted = await a.request('POST', '/sentiment', { json: { text: 'A wonderful, heartwarming film.' } });
    expect(predicted.status).toBe(200);
    const { prediction_id, label } = predicted.body;
    const wrong = label === 'POSITIVE' ? 'NEGATIVE' : 'POSITIVE';

    const created = await b.request('POST', '/feedback', { json: { prediction_id, correct_label: wrong } });
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({ prediction_id, status: 'created', revision: 1, predicted_label: label });
    // The same feedback retried on the other replica changes nothing; a different label replaces it, revision 2.
    const retried = await a.request('POST', '/feedback', { json: { prediction_id, correct_label: wrong } });
    expect(retried.body).toMatchObject({ status: 'unchanged', revision: 1 });
    const replaced = await a.request('POST', '/feedback', { json: { prediction_id, correct_label: label } });
    expect(replaced.body).toMatchObject({ status: 'replaced', revision: 2, previous_label: wrong, correct: true });

    const deadline = Date.now() + 15_000;
    let models: [unknown, unknown] = await performanceOnBoth();
    const counted = (m: unknown) => (m as { current?: { samples: number; correct: number } }[])[0]?.current;
    while (!(counted(models[0])?.samples === 1 && counted(models[1])?.samples === 1) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      models = await performanceOnBoth();
    }
    expect(counted(models[0])).toMatchObject({ samples: 1, correct: 1 });
    expect(models[1]).toEqual(models[0]);
  });
});
