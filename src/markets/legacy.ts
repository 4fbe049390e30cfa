import { badListError, refusedError, type MarketListSource } from './fetch.js';
import { isSymbolText, type MarketMap } from './market-map.js';
import { restEndpoint } from './http.js';
import { excerpt, zodIssue } from '../printable.js';

/** The legacy REST path the reference script used, and its query; appended to --rest-url. */
export const LEGACY_TICKER_PATH = '/public';
export const LEGACY_TICKER_QUERY = 'command=returnTicker';

/** The list's name in messages. */
const WHAT = 'the ticker map';

/** An entry of the ticker map as its schema (market-schemas.ts) takes it, by hand: an object whose id is a safe count or 1-30 digits. */
function isPlainEntry(value: unknown): boolean {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const id = (value as { id?: unknown }).id;
  return typeof id === 'number' ? Number.isSafeInteger(id) && id >= 0 : typeof id === 'string' && /^\d{1,30}$/.test(id);
}

/**
 * The legacy ticker map's URL for a REST base such as "https://poloniex.com": /public appended to
 * the base's path, command=returnTicker to its query, its fragment dropped.
 */
export function legacyTickerUrl(restBase: string): string {
  return restEndpoint(restBase, LEGACY_TICKER_PATH, LEGACY_TICKER_QUERY);
}

/**
 * Validates a legacy `returnTicker` body into the id <-> pair map, keeping the server's pair order;
 * a pair name that is not a plain name (letters, digits, '_', '-', '.') is left out.
 * Throws BadMarketsError naming the URL and the first thing that is wrong.
 */
export async function parseLegacyTickerMap(body: unknown, url: string): Promise<MarketMap> {
  if (body !== null && typeof body === 'object' && typeof (body as { error?: unknown }).error === 'string') {
    throw refusedError(WHAT, url, (body as { error: string }).error);
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw badListError(WHAT, url, 'is not a returnTicker object: expected an object of pairs');
  }
  // Checked key by key: zod's record drops a "__proto__" key, which JSON.parse keeps as a pair.
  const entries = Object.entries(body as Record<string, unknown>);
  for (const [pair, value] of entries) {
    if (isPlainEntry(value)) continue;
    const parsed = (await import('./market-schemas.js')).tickerEntrySchema.safeParse(value);
    if (!parsed.success) throw badListError(WHAT, url, `is not a returnTicker object: ${excerpt(pair, 40)}: ${zodIssue(parsed.error)}`);
  }
  // A name is printed on every line of its pair: one that is not a plain name is left out.
  const pairs = entries.map(([pair]) => pair).filter(isSymbolText);
  const ignored = entries.map(([pair]) => pair).filter((pair) => !isSymbolText(pair));
  if (pairs.length === 0) throw badListError(WHAT, url, 'lists no pairs (with a plain name)');
  const byId = new Map<string, string>();
  for (const pair of pairs) {
    const id = String((body as Record<string, { id: number | string }>)[pair]?.id);
    const other = byId.get(id);
    // Frames carry only the id: two pairs on one id could not be told apart.
    if (other !== undefined) throw badListError(WHAT, url, `gives id ${id} to both ${other} and ${pair}`);
    byId.set(id, pair);
  }
  return { pairs, byId, frozen: new Set(), ignored };
}

/** For tests: the hand check, which must accept no entry market-schemas.ts refuses. */
export const forTesting = { isPlainEntry };

/** The legacy market list: the returnTicker map. */
export const LEGACY_TICKER_MAP: MarketListSource = { what: WHAT, url: legacyTickerUrl, parse: parseLegacyTickerMap };
