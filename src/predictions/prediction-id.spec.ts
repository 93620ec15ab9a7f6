import { newPredictionId } from './prediction-id';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** The 48-bit millisecond timestamp RFC 9562 puts in the first 12 hex digits. */
const timeOf = (id: string) => parseInt(id.replace(/-/g, '').slice(0, 12), 16);

describe('newPredictionId', () => {
  it('is a lower-case UUID of version 7 and the RFC 9562 variant', () => {
    for (let i = 0; i < 1000; i++) expect(newPredictionId()).toMatch(UUID_V7);
  });

  it('starts with the time it was made, in milliseconds since the epoch', () => {
    const before = Date.now();
    const id = newPredictionId();
    const after = Date.now();
    expect(timeOf(id)).toBeGreaterThanOrEqual(before);
    expect(timeOf(id)).toBeLessThanOrEqual(after);
  });

  it('sorts ids made in a later millisecond after earlier ones (as strings, as the database compares them)', async () => {
    const first = newPredictionId();
    await new Promise((resolve) => setTimeout(resolve, 5));
    const second = newPredictionId();
    expect(first < second).toBe(true);
  });

  it('never repeats, across more ids than one pool of random bytes holds', () => {
    const ids = new Set(Array.from({ length: 20_000 }, () => newPredictionId()));
    expect(ids.size).toBe(20_000);
  });
});
