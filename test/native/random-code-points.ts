/**
 * Seeded strings of random code points drawn from every plane (BMP, SMP, SIP, TIP, SSP, private use planes),
 * mixed with spaces, combining marks and lone surrogates, for parity tests that must not depend on a curated
 * list of fragments. The same seed always yields the same strings.
 */
import { seededRandom } from './tricky-strings';

/** A random code point: half from the BMP, the rest from planes 1-3 and 14-16; surrogates stay lone. */
function randomCodePoint(rnd: () => number): number {
  const r = rnd();
  if (r < 0.5) return Math.floor(rnd() * 0x10000);
  const planes = [1, 1, 1, 2, 3, 14, 15, 16];
  const plane = planes[Math.floor(rnd() * planes.length)];
  return plane * 0x10000 + Math.floor(rnd() * 0x10000);
}

export function randomCodePointStrings(seed: number, count: number, maxLength = 40): string[] {
  const rnd = seededRandom(seed);
  const out: string[] = [];
  for (let n = 0; n < count; n++) {
    const length = Math.floor(rnd() * maxLength);
    let s = '';
    for (let i = 0; i < length; i++) {
      const r = rnd();
      if (r < 0.15) s += ' ';
      else if (r < 0.22) s += String.fromCodePoint(0x300 + Math.floor(rnd() * 0x70)); // combining marks
      else s += String.fromCodePoint(randomCodePoint(rnd));
    }
    out.push(s);
  }
  return out;
}
