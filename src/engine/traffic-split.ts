/**
 * A stable bucket in [0, 100) for a client key: FNV-1a (32 bit) over its UTF-16 code units, so the same key
 * always lands on the same side of a canary split, in every replica and across restarts, at the cost of a few
 * multiplications (no allocation on the request path).
 */
export function trafficBucket(key: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return ((hash >>> 0) % 10_000) / 100;
}
