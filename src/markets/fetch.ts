import { BadMarketsError } from '../errors.js';
import { fetchJson, redactUrl, type RestOptions } from './http.js';
import type { MarketMap } from './market-map.js';
import { errorText, excerpt } from '../printable.js';

/** One protocol's REST market list: where it is, its name in messages, and how its body is read. */
export interface MarketListSource {
  /** The list in messages: "the ticker map", "the market list". */
  readonly what: string;
  /** The list's URL for a REST base (--rest-url). */
  url(restBase: string): string;
  /** Validates a body into the market map; `url` (credentials redacted) names it in errors. @throws BadMarketsError */
  parse(body: unknown, url: string): Promise<MarketMap>;
}

/** Fetches and validates a protocol's market list. @throws HttpError, BadMarketsError */
export async function fetchMarkets(source: MarketListSource, restBase: string, rest: RestOptions): Promise<MarketMap> {
  const url = source.url(restBase);
  const body = await fetchJson(url, { ...rest, what: source.what });
  return source.parse(body, redactUrl(url));
}

/*
 * A market list's errors name the list and its URL the same way for every protocol (fetchJson's
 * "is not JSON" too): "the ticker map from URL lists no pairs (with a plain name)".
 */

/** A body in which the server refused the request, `message` its reason (any JSON value). */
export function refusedError(what: string, url: string, message: unknown): BadMarketsError {
  return new BadMarketsError(url, `${what} request to ${url} was refused: ${excerpt(errorText(message))}`);
}

/** A body that is not the list its protocol sends, and what is wrong with it. */
export function badListError(what: string, url: string, problem: string): BadMarketsError {
  return new BadMarketsError(url, `${what} from ${url} ${problem}`);
}
