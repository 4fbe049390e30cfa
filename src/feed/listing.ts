import type { MarketMap } from '../protocol/types.js';
import { matchPairs } from './pairs.js';

/** A market whose listing state changed between two market lists. */
export interface StateChange {
  readonly pair: string;
  /** The exchange's state word ("NORMAL", "PAUSE"), or frozen / trading where it gives none. */
  readonly from: string;
  readonly to: string;
  /** Whether the ticker's isFrozen column is now 1. */
  readonly frozen: boolean;
}

/** What a new market list changed in the pairs being streamed. */
export interface ListingChange {
  /** Newly listed pairs that --pairs selects (every new pair without --pairs): subscribe them. */
  readonly added: readonly string[];
  /** Streamed pairs the list no longer has: unsubscribe them and print nothing more of them. */
  readonly removed: readonly string[];
  readonly states: readonly StateChange[];
}

/**
 * The pairs being streamed, as the latest market list and --pairs decide them. A delisted pair
 * stays known (retired) so that frames already in flight for it are dropped quietly instead of
 * being taken for a new listing; it is never printed again unless it is listed again.
 */
export class Listing {
  private streamed = new Set<string>();
  private readonly retired = new Set<string>();
  /** The latest list as the decoder knows it (retired pairs included). */
  private known: MarketMap | undefined;

  /** `wanted`: --pairs (names or globs), or undefined for every listed pair. */
  constructor(private readonly wanted: readonly string[] | undefined) {}

  /** The pairs to subscribe, in the order --pairs or the list gives them. */
  get pairs(): string[] {
    return [...this.streamed];
  }

  /** Whether lines of this pair are printed. */
  has(pair: string): boolean {
    return this.streamed.has(pair);
  }

  /**
   * Takes a new market list. Returns what changed, and the map the decoder should know: the list
   * with the retired pairs kept, so their late frames decode (and are dropped, not refreshed for).
   */
  update(markets: MarketMap): { readonly change: ListingChange; readonly known: MarketMap } {
    const previous = this.known;
    const selected = matchPairs(markets, this.wanted).selected;
    const next = new Set(selected);
    const added = previous === undefined ? [] : selected.filter((pair) => !this.streamed.has(pair));
    const removed = [...this.streamed].filter((pair) => !next.has(pair));
    for (const pair of removed) this.retired.add(pair);
    for (const pair of selected) this.retired.delete(pair);
    const states = previous === undefined ? [] : stateChanges(previous, markets, selected.filter((pair) => this.streamed.has(pair)));
    this.streamed = next;
    this.known = withRetired(markets, previous, this.retired);
    return { change: { added, removed, states }, known: this.known };
  }
}

function stateOf(markets: MarketMap, pair: string): string {
  return markets.states?.get(pair) ?? (markets.frozen.has(pair) ? 'frozen' : 'trading');
}

function stateChanges(before: MarketMap, after: MarketMap, pairs: readonly string[]): StateChange[] {
  const out: StateChange[] = [];
  for (const pair of pairs) {
    const from = stateOf(before, pair);
    const to = stateOf(after, pair);
    if (from !== to || before.frozen.has(pair) !== after.frozen.has(pair)) out.push({ pair, from, to, frozen: after.frozen.has(pair) });
  }
  return out;
}

/** `markets` plus the retired pairs (with their legacy ids from the list before). */
function withRetired(markets: MarketMap, previous: MarketMap | undefined, retired: ReadonlySet<string>): MarketMap {
  if (retired.size === 0) return markets;
  const byId = new Map(markets.byId);
  if (previous !== undefined) for (const [id, pair] of previous.byId) if (retired.has(pair) && !byId.has(id)) byId.set(id, pair);
  const pairs = [...markets.pairs, ...[...retired].filter((pair) => !markets.pairs.includes(pair))];
  return { ...markets, pairs, byId };
}
