import * as z from 'zod';
import { badListError, refusedError, type MarketListSource } from './fetch.js';
import { isSymbolText, type MarketMap } from './market-map.js';
import { restEndpoint } from './http.js';
import { zodIssue } from '../printable.js';

/** The v3 REST path listing every market; appended to --rest-url's path. */
export const V3_MARKETS_PATH = '/markets';

/** The list's name in messages. */
const WHAT = 'the market list';

const marketsSchema = z.array(z.object({ symbol: z.string().min(1), state: z.string().optional() }));

/**
 * The v3 market list's URL for a REST base such as "https://api.poloniex.com": /markets appended
 * to the base's path, its query kept, its fragment dropped.
 */
export function v3MarketsUrl(restBase: string): string {
  return restEndpoint(restBase, V3_MARKETS_PATH);
}

/**
 * Validates a v3 `GET /markets` body into the symbol list, keeping the server's order. Markets whose
 * state is not NORMAL are listed (they may still stream) and marked frozen; a symbol that is not a
 * plain name (letters, digits, '_', '-', '.') is left out.
 */
export function parseV3Markets(body: unknown, url: string): MarketMap {
  if (body !== null && typeof body === 'object' && !Array.isArray(body) && 'message' in body) {
    throw refusedError(WHAT, url, (body as { message: unknown }).message);
  }
  const parsed = marketsSchema.safeParse(body);
  if (!parsed.success) throw badListError(WHAT, url, `is not a /markets array: ${zodIssue(parsed.error)}`);
  const seen = new Set<string>();
  const frozen = new Set<string>();
  const states = new Map<string, string>();
  const ignored: string[] = [];
  for (const market of parsed.data) {
    // A name is printed on every line of its market: one that is not a plain name is left out.
    if (!isSymbolText(market.symbol)) {
      ignored.push(market.symbol);
      continue;
    }
    seen.add(market.symbol);
    if (market.state !== undefined) states.set(market.symbol, market.state);
    if (market.state !== undefined && market.state !== 'NORMAL') frozen.add(market.symbol);
  }
  if (seen.size === 0) throw badListError(WHAT, url, 'lists no markets (with a plain name)');
  return { pairs: [...seen], byId: new Map(), frozen, states, ignored };
}

/** The v3 market list: GET /markets. */
export const V3_MARKET_LIST: MarketListSource = { what: WHAT, url: v3MarketsUrl, parse: parseV3Markets };
