import type { SequenceIds } from './v3-wire.js';

/**
 * The book_lv2 ids of every symbol on one connection. Each book event of a symbol moves its id
 * up by 1 to 3 whether or not it is sent, so a symbol subscribed again later starts from a later
 * id. A step is a hash of the seed, the pair and the step's number, so the ids depend on neither
 * timing nor subscriptions.
 */
export class BookIds {
  private readonly seed: number;
  private readonly state = new Map<number, { lastId: number; id: number; steps: number }>();

  constructor(seed: number) {
    this.seed = seed;
  }

  /** The ids of the latest book event of the pair: what a snapshot taken now carries. */
  current(pairId: number): SequenceIds {
    const { lastId, id } = this.of(pairId);
    return { lastId, id };
  }

  /**
   * Moves the pair's id on for one book event and returns that event's lastId -> id. With
   * `skipOne` (the gap fault) an id is spent first, so lastId is not the previous id.
   */
  advance(pairId: number, skipOne = false): SequenceIds {
    const state = this.of(pairId);
    if (skipOne) this.step(pairId, state);
    const lastId = state.id;
    this.step(pairId, state);
    return { lastId, id: state.id };
  }

  private step(pairId: number, state: { lastId: number; id: number; steps: number }): void {
    state.steps += 1;
    state.lastId = state.id;
    state.id += 1 + (mix(this.seed, pairId, state.steps) % 3);
  }

  private of(pairId: number): { lastId: number; id: number; steps: number } {
    let state = this.state.get(pairId);
    if (state === undefined) {
      const id = 100_000_000 + (mix(this.seed, pairId, 0) % 900_000_000);
      state = { lastId: id - 1 - (mix(this.seed, pairId, -1) % 3), id, steps: 0 };
      this.state.set(pairId, state);
    }
    return state;
  }
}

/** A 32-bit hash of three integers (murmur3's finaliser over a simple combination). */
function mix(a: number, b: number, c: number): number {
  let h = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(b + 0x632be59b, 0xc2b2ae35) ^ Math.imul(c ^ 0x27d4eb2f, 0x165667b1);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
