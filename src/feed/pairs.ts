import { UsageError } from '../errors.js';
import type { MarketMap } from '../protocol/types.js';

/**
 * The pairs to subscribe: every pair of the map, or the ones `--pairs` names, in the order given.
 * Names are case-insensitive; `*` and `?` are globs ('USDT_*'). A name or glob that matches nothing
 * is a usage error: a typo should not stream nothing.
 */
export function selectPairs(markets: MarketMap, wanted: readonly string[] | undefined): string[] {
  const { selected, unmatched } = matchPairs(markets, wanted);
  if (unmatched.length > 0) {
    const examples = markets.pairs.slice(0, 3).join(', ');
    throw new UsageError(
      `unknown pair${unmatched.length === 1 ? '' : 's'} ${unmatched.join(', ')}: not in the exchange's market list ` +
        `(${markets.pairs.length} pairs, e.g. ${examples})`,
    );
  }
  return selected;
}

/**
 * The listed pairs `wanted` names or matches (every pair when undefined), and the names that match
 * none: at start-up those are a usage error, on a later refresh a market that is gone.
 */
export function matchPairs(markets: MarketMap, wanted: readonly string[] | undefined): { selected: string[]; unmatched: string[] } {
  if (wanted === undefined) return { selected: [...markets.pairs], unmatched: [] };
  const selected = new Set<string>();
  const unmatched: string[] = [];
  for (const name of wanted) {
    const pattern = globPattern(name);
    const matches = markets.pairs.filter((pair) => pattern.test(pair));
    if (matches.length === 0) unmatched.push(name);
    for (const pair of matches) selected.add(pair);
  }
  return { selected: [...selected], unmatched };
}

/** A case-insensitive whole-name matcher for a pair name that may hold `*` and `?`. */
export function globPattern(glob: string): RegExp {
  const source = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${source}$`, 'i');
}
