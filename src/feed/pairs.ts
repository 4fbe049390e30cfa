import { UsageError } from '../errors.js';
import type { MarketMap } from '../protocol/types.js';

/**
 * The pairs to subscribe: every pair of the map, or the ones `--pairs` names (case-insensitive),
 * in the order given. A name the map lacks is a usage error: a typo should not stream nothing.
 */
export function selectPairs(markets: MarketMap, wanted: readonly string[] | undefined): string[] {
  if (wanted === undefined) return [...markets.pairs];
  const known = new Map(markets.pairs.map((pair) => [pair.toUpperCase(), pair]));
  const selected: string[] = [];
  const unknown: string[] = [];
  for (const name of wanted) {
    const pair = known.get(name.toUpperCase());
    if (pair === undefined) unknown.push(name);
    else if (!selected.includes(pair)) selected.push(pair);
  }
  if (unknown.length > 0) {
    const examples = markets.pairs.slice(0, 3).join(', ');
    throw new UsageError(
      `unknown pair${unknown.length === 1 ? '' : 's'} ${unknown.join(', ')}: not in the exchange's market list ` +
        `(${markets.pairs.length} pairs, e.g. ${examples})`,
    );
  }
  return selected;
}
