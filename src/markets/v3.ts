import { badListError, refusedError, type MarketListSource } from './fetch.js';
import { isSymbolText, type MarketMap } from './market-map.js';
import { restEndpoint } from './http.js';
import { zodIssue } from '../printable.js';

/** The v3 REST path listing every market; appended to --rest-url's path. */
export const V3_MARKETS_PATH = '/markets';

/** The list's name in messages. */
const WHAT = 'the market list';

/** An entry as the schema (market-schemas.ts) reads it: a symbol, maybe a state. */
interface MarketEntry {
  readonly symbol: string;
  readonly state?: string | undefined;
}

/** The schema's rules by hand: a list of objects, each a non-empty symbol and, if any, a text state. */
function plainMarkets(body: unknown): readonly MarketEntry[] | undefined {
  if (!Array.isArray(body)) return undefined;
  for (const entry of body as unknown[]) {
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) return undefined;
    const { symbol, state } = entry as { symbol?: unknown; state?: unknown };
    if (typeof symbol !== 'string' || symbol === '' || (state !== undefined && typeof state !== 'string')) return undefined;
  }
  return body as MarketEntry[];
}

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
export async function parseV3Markets(body: unknown, url: string): Promise<MarketMap> {
  if (body !== null && typeof body === 'object' && !Array.isArray(body) && 'message' in body) {
    throw refusedError(WHAT, url, (body as { message: unknown }).message);
  }
  let markets = plainMarkets(body);
  if (markets === undefined) {
    const parsed = (await import('./market-schemas.js')).v3MarketsSchema.safeParse(body);
    if (!parsed.success) throw badListError(WHAT, url, `is not a /markets array: ${zodIssue(parsed.error)}`);
    markets = parsed.data;
  }
  const seen = new Set<string>();
  const frozen = new Set<string>();
  const states = new Map<string, string>();
  const ignored: string[] = [];
  for (const market of markets) {
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

/** For tests: the hand check, which must accept no body market-schemas.ts refuses. */
export const forTesting = { plainMarkets };

/** The v3 market list: GET /markets. */
export const V3_MARKET_LIST: MarketListSource = { what: WHAT, url: v3MarketsUrl, parse: parseV3Markets };
