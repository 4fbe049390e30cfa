import { hash32 } from './rng.js';
import type { SequenceIds } from './v3-wire.js';

/**
 * The book_lv2 ids of every symbol on one connection. As on the real exchange, a symbol's id
 * rises by exactly one per book message, and it rises whenever the symbol's 20-level window
 * changes, whether or not this connection subscribed the symbol: so the ids depend on neither
 * timing nor subscriptions, and a symbol subscribed again later starts from a later id. Each
 * symbol starts from its own id, a hash of the seed and the pair.
 */
export class BookIds {
  private readonly seed: number;
  private readonly ids = new Map<number, number>();

  constructor(seed: number) {
    this.seed = seed;
  }

  /** The ids of the symbol's latest book message, sent or not: what a snapshot taken now carries. */
  current(pairId: number): SequenceIds {
    const id = this.of(pairId);
    return { lastId: id - 1, id };
  }

  /**
   * Moves the pair's id on for one book message and returns its lastId -> id. With `skipOne`
   * (the gap fault) an id is spent first, so lastId is not the previous message's id.
   */
  advance(pairId: number, skipOne = false): SequenceIds {
    const lastId = this.of(pairId) + (skipOne ? 1 : 0);
    this.ids.set(pairId, lastId + 1);
    return { lastId, id: lastId + 1 };
  }

  private of(pairId: number): number {
    let id = this.ids.get(pairId);
    if (id === undefined) {
      id = 100_000_000 + (hash32(this.seed, pairId, 0) % 900_000_000);
      this.ids.set(pairId, id);
    }
    return id;
  }
}
