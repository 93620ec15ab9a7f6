import * as crypto from 'node:crypto';

/**
 * SHA-256 (hex) of a text's UTF-8 bytes: what the prediction log keeps of an input under PREDICTION_LOG_INPUT=hash.
 * Node's one-shot `crypto.hash` (Node 20.12 and later) skips the Hash object `createHash` builds per call, which
 * matters at one hash per prediction; older Node versions use `createHash`. Both give the same digest.
 */
type OneShotHash = (algorithm: string, data: string, outputEncoding: 'hex') => string;

const oneShot = (crypto as unknown as { hash?: OneShotHash }).hash;

export const sha256Hex: (text: string) => string = oneShot
  ? (text) => oneShot('sha256', text, 'hex')
  : (text) => crypto.createHash('sha256').update(text, 'utf8').digest('hex');
