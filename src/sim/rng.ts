/**
 * A small seeded pseudo-random generator (mulberry32). The simulator draws every market decision
 * from one of these, so the same seed replays the same market on every platform and Node version.
 */
export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** The next unsigned 32-bit integer of the stream. */
  nextU32(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    return this.nextU32() / 0x1_0000_0000;
  }

  /** An integer in [min, max], both inclusive. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** One element of a non-empty list. */
  pick<T>(items: readonly T[]): T {
    const item = items[this.int(0, items.length - 1)];
    if (item === undefined) throw new RangeError('Rng.pick: empty list');
    return item;
  }

  /**
   * A bigint in [min, max], both inclusive. Amounts of 1e-8 units exceed 2^53, so they are drawn
   * from whole 32-bit words rather than scaled floats (which would leave low digits always zero).
   */
  bigint(min: bigint, max: bigint): bigint {
    const span = max - min + 1n;
    // One spare word keeps the modulo bias negligible.
    const words = Math.ceil(span.toString(2).length / 32) + 1;
    let r = 0n;
    for (let i = 0; i < words; i++) r = (r << 32n) | BigInt(this.nextU32());
    return min + (r % span);
  }
}

/**
 * A 32-bit hash of three integers (murmur3's finaliser over a simple combination): for choices
 * that must not depend on how many random numbers were drawn before, such as a v3 book's ids or
 * how a quantity is written, which have to come out the same whatever a connection subscribed.
 */
export function hash32(a: number, b: number, c: number): number {
  let h = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(b + 0x632be59b, 0xc2b2ae35) ^ Math.imul(c ^ 0x27d4eb2f, 0x165667b1);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
