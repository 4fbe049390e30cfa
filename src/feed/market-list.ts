import type { Diagnostics } from '../output/diagnostics.js';
import type { MarketMap } from '../protocol/types.js';
import { Listing, type ListingChange } from './listing.js';

/** Names that cannot be printed remembered (each is reported once); a hostile list cannot grow this. */
const MAX_IGNORED_NAMES = 1000;

/**
 * The market list as the run follows it: the latest listing with --pairs applied, which decides
 * what is subscribed and printed; names a list gives that cannot be printed safely are reported
 * once each and never streamed.
 */
export class MarketList {
  private listing: Listing | undefined;
  private readonly ignoredNames = new Set<string>();

  constructor(private readonly diagnostics: Diagnostics) {}

  /** The pairs to subscribe now. */
  get pairs(): string[] {
    return this.listing?.pairs ?? [];
  }

  /** Whether lines of this pair are printed (every pair's until the first list). */
  has(pair: string): boolean {
    return this.listing === undefined || this.listing.has(pair);
  }

  /**
   * Takes a market list: `wanted` (--pairs, or undefined for every pair) is read on the first
   * call. Returns what changed, and the map the decoder should know.
   */
  update(markets: MarketMap, wanted: readonly string[] | undefined): { readonly change: ListingChange; readonly known: MarketMap } {
    this.listing ??= new Listing(wanted);
    this.reportIgnored(markets.ignored ?? []);
    return this.listing.update(markets);
  }

  private reportIgnored(names: readonly string[]): void {
    const fresh = names.filter((name) => !this.ignoredNames.has(name));
    if (fresh.length === 0) return;
    for (const name of fresh) if (this.ignoredNames.size < MAX_IGNORED_NAMES) this.ignoredNames.add(name);
    const shown = fresh.slice(0, 3).map((name) => JSON.stringify(name.slice(0, 40))).join(', ');
    this.diagnostics.warn(
      'markets',
      `the market list names ${fresh.length} pair${fresh.length === 1 ? '' : 's'} that ${fresh.length === 1 ? 'is' : 'are'} not a plain name ` +
        `(letters, digits, _ . -), left out: ${shown}${fresh.length > 3 ? ', ...' : ''}`,
    );
  }
}
