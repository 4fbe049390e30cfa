import { z } from 'zod';
import { BadMarketsError } from '../errors.js';
import type { MarketMap } from '../protocol/types.js';
import { zodIssue } from '../protocol/results.js';
import { fetchJson, type RestOptions } from './http.js';

/** The legacy REST path the reference script used; appended to --rest-url. */
export const LEGACY_TICKER_PATH = '/public?command=returnTicker';

const tickerMapSchema = z.record(
  z.string().min(1),
  z.object({ id: z.union([z.number().int().nonnegative(), z.string().regex(/^\d+$/)]) }),
);

/** The legacy ticker map's URL for a REST base such as "https://poloniex.com". */
export function legacyTickerUrl(restBase: string): string {
  return restBase.replace(/\/+$/, '') + LEGACY_TICKER_PATH;
}

/**
 * Validates a legacy `returnTicker` body into the id <-> pair map, keeping the server's pair order.
 * Throws BadMarketsError naming the URL and the first thing that is wrong.
 */
export function parseLegacyTickerMap(body: unknown, url: string): MarketMap {
  if (body !== null && typeof body === 'object' && typeof (body as { error?: unknown }).error === 'string') {
    throw new BadMarketsError(url, `the ticker map request to ${url} was refused: ${(body as { error: string }).error}`);
  }
  const parsed = tickerMapSchema.safeParse(body);
  if (!parsed.success) {
    throw new BadMarketsError(url, `the ticker map from ${url} is not a returnTicker object: ${zodIssue(parsed.error)}`);
  }
  const pairs = Object.keys(parsed.data);
  if (pairs.length === 0) throw new BadMarketsError(url, `the ticker map from ${url} lists no pairs`);
  const byId = new Map<string, string>();
  for (const pair of pairs) byId.set(String(parsed.data[pair]?.id), pair);
  return { pairs, byId, frozen: new Set() };
}

/** Fetches and validates the legacy ticker map. */
export async function fetchLegacyMarkets(restBase: string, rest: RestOptions): Promise<MarketMap> {
  const url = legacyTickerUrl(restBase);
  const body = await fetchJson(url, { ...rest, what: 'the ticker map' });
  return parseLegacyTickerMap(body, url);
}
