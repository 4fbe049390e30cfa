import { z } from 'zod';
import { BadMarketsError } from '../errors.js';
import type { MarketMap } from '../protocol/types.js';
import { zodIssue } from '../protocol/results.js';
import { fetchJson, type RestOptions } from './http.js';

/** The v3 REST path listing every market; appended to --rest-url. */
export const V3_MARKETS_PATH = '/markets';

const marketsSchema = z.array(z.object({ symbol: z.string().min(1), state: z.string().optional() }));

/** The v3 market list's URL for a REST base such as "https://api.poloniex.com". */
export function v3MarketsUrl(restBase: string): string {
  return restBase.replace(/\/+$/, '') + V3_MARKETS_PATH;
}

/**
 * Validates a v3 `GET /markets` body into the symbol list, keeping the server's order. Markets whose
 * state is not NORMAL are listed (they may still stream) and marked frozen.
 */
export function parseV3Markets(body: unknown, url: string): MarketMap {
  if (body !== null && typeof body === 'object' && !Array.isArray(body) && 'message' in body) {
    throw new BadMarketsError(url, `the market list request to ${url} was refused: ${String((body as { message: unknown }).message)}`);
  }
  const parsed = marketsSchema.safeParse(body);
  if (!parsed.success) {
    throw new BadMarketsError(url, `the market list from ${url} is not a /markets array: ${zodIssue(parsed.error)}`);
  }
  if (parsed.data.length === 0) throw new BadMarketsError(url, `the market list from ${url} lists no markets`);
  const seen = new Set<string>();
  const frozen = new Set<string>();
  const states = new Map<string, string>();
  for (const market of parsed.data) {
    seen.add(market.symbol);
    if (market.state !== undefined) states.set(market.symbol, market.state);
    if (market.state !== undefined && market.state !== 'NORMAL') frozen.add(market.symbol);
  }
  return { pairs: [...seen], byId: new Map(), frozen, states };
}

/** Fetches and validates the v3 market list. */
export async function fetchV3Markets(restBase: string, rest: RestOptions): Promise<MarketMap> {
  const url = v3MarketsUrl(restBase);
  const body = await fetchJson(url, { ...rest, what: 'the market list' });
  return parseV3Markets(body, url);
}
