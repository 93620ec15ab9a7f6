/**
 * A small seeded pseudo-random generator, so a window's permutation p-value and the projection are reproducible:
 * xoshiro128** (Blackman & Vigna 2018, "Scrambled linear pseudorandom number generators"), its 128-bit state
 * filled from the seed by the SplitMix32 mixing function. Not for cryptography.
 */

/**
 * Math functions used in hot loops are bound once here: a global lookup per call is cheap in Node but about 25x
 * slower inside jest's vm sandbox, where the statistics' simulations run.
 */
const { imul, floor, sqrt, log, sin, cos } = Math;
const TWO_PI = 2 * Math.PI;
export class SeededRandom {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  private spareGaussian: number | null = null;

  constructor(seed: number) {
    if (!Number.isFinite(seed)) throw new RangeError(`Expected a finite number for seed but received ${seed}`);
    // Fold both 32-bit halves of an integer seed (up to 2^53) into the SplitMix32 starting point.
    let state = (floor(seed) >>> 0) ^ imul(floor(seed / 4294967296) >>> 0, 0x9e3779b1);
    const splitMix = (): number => {
      state = (state + 0x9e3779b9) | 0;
      let z = state;
      z = imul(z ^ (z >>> 16), 0x85ebca6b);
      z = imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = splitMix();
    this.s1 = splitMix();
    this.s2 = splitMix();
    this.s3 = splitMix();
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1; // the all-zero state is a fixed point
  }

  /** A uniform 32-bit unsigned integer. */
  nextUint32(): number {
    const result = imul(rotateLeft(imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotateLeft(this.s3, 11);
    return result;
  }

  /** A uniform double in [0, 1) with 53 random bits. */
  nextFloat(): number {
    const high = this.nextUint32() >>> 5; // 27 bits
    const low = this.nextUint32() >>> 6; // 26 bits
    return (high * 67108864 + low) / 9007199254740992;
  }

  /** A uniform integer in [0, bound), bound <= 2^32 (the bias of the float method is below 2^-21 there). */
  nextInt(bound: number): number {
    return floor(this.nextFloat() * bound);
  }

  /** A standard normal variate (Box-Muller; the second value of each pair is kept for the next call). */
  nextGaussian(): number {
    if (this.spareGaussian !== null) {
      const spare = this.spareGaussian;
      this.spareGaussian = null;
      return spare;
    }
    let u = 0;
    while (u === 0) u = this.nextFloat();
    const v = this.nextFloat();
    const radius = sqrt(-2 * log(u));
    this.spareGaussian = radius * sin(TWO_PI * v);
    return radius * cos(TWO_PI * v);
  }
}

function rotateLeft(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
