import type { PairInfo } from './events.js';

/**
 * How the current API ("v3") lists the simulator's pairs: BASE_QUOTE symbols, a listing state,
 * and cross-margin flags. A few symbols get a state other than NORMAL; they still trade and stream.
 */

/** Listing states other than NORMAL, by legacy name. */
const STATES: ReadonlyMap<string, string> = new Map([
  ['BTC_DOGE', 'PAUSE'],
  ['BTC_STR', 'POST_ONLY'],
]);

/** Pairs this far up the listing support cross margin. */
const CROSS_MARGIN_PAIRS = 8;

/** The legacy QUOTE_BASE name as a current BASE_QUOTE symbol: USDT_BTC -> BTC_USDT, BTC_ETH -> ETH_BTC. */
export function v3SymbolName(legacyName: string): string {
  const [quote = '', base = ''] = legacyName.split('_');
  return `${base}_${quote}`;
}

/** One listed symbol of the current API. */
export interface V3Symbol {
  readonly pair: PairInfo;
  /** "BTC_USDT" */
  readonly symbol: string;
  readonly base: string;
  readonly quote: string;
  /** "NORMAL", or another state such as "PAUSE". */
  readonly state: string;
  readonly crossMargin: boolean;
}

/**
 * The symbols of the market, found by name or by the market's pair id. With a `newListingMs`
 * (the new-listing fault) the last one is listed only that long after the listing was made: before
 * then it trades but /markets leaves it out and subscribing it fails, like a market listed after a
 * client started.
 */
export class V3Listing {
  /** Every symbol of the market, listed yet or not, in listing order. */
  readonly symbols: readonly V3Symbol[];
  private readonly byName = new Map<string, V3Symbol>();
  private readonly byPairId = new Map<number, V3Symbol>();
  private readonly late: V3Symbol | undefined;
  private readonly listsLateAt: number;

  constructor(pairs: readonly PairInfo[], newListingMs?: number) {
    this.symbols = pairs.map((pair, index) => {
      const symbol = v3SymbolName(pair.name);
      const [base = '', quote = ''] = symbol.split('_');
      const state = STATES.get(pair.name) ?? 'NORMAL';
      return { pair, symbol, base, quote, state, crossMargin: index < CROSS_MARGIN_PAIRS };
    });
    for (const entry of this.symbols) {
      this.byName.set(entry.symbol, entry);
      this.byPairId.set(entry.pair.id, entry);
    }
    this.late = newListingMs === undefined ? undefined : this.symbols[this.symbols.length - 1];
    this.listsLateAt = performance.now() + (newListingMs ?? 0);
  }

  /** Whether the symbol is listed by now (only a new-listing fault's symbol is not, for a while). */
  isListed(entry: V3Symbol): boolean {
    return entry !== this.late || performance.now() >= this.listsLateAt;
  }

  /** The symbols listed by now, in listing order: what /markets shows. */
  listed(): V3Symbol[] {
    return this.symbols.filter((entry) => this.isListed(entry));
  }

  /** The listed symbol with this name, or undefined if there is none (yet). */
  find(symbol: string): V3Symbol | undefined {
    const entry = this.byName.get(symbol);
    return entry !== undefined && this.isListed(entry) ? entry : undefined;
  }

  /** The symbol of a market pair. @throws RangeError for a pair the listing does not hold. */
  ofPair(pairId: number): V3Symbol {
    const found = this.byPairId.get(pairId);
    if (found === undefined) throw new RangeError(`no symbol for pair id ${pairId}`);
    return found;
  }

  /** A symbol no listed pair has, as a market listed after start-up would be named. */
  unlistedSymbol(): string {
    for (let n = 0; ; n++) {
      const symbol = `NEWCOIN${n || ''}_USDT`;
      if (!this.byName.has(symbol)) return symbol;
    }
  }
}

/** Where the v3 market's simulated clock starts: November 2023, in the current API's era. */
export const V3_CLOCK_START_MS = 1_700_000_000_000;
