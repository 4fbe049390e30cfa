import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';
import { BadMarketsError, HttpError } from '../errors.js';
import { backoffDelay } from '../feed/backoff.js';

/** How REST requests are made: per-request timeout and retries of transient failures. */
export interface RestOptions {
  /** The whole request, body included, must finish within this many milliseconds. */
  readonly timeoutMs: number;
  /** Retries after a network error, timeout, HTTP 5xx or 429 (0: fail at once). */
  readonly retries: number;
  /** Told of each retry, one line: what failed and when the next try is. */
  readonly onRetry?: (message: string) => void;
  /** Aborts the waits between retries (SIGINT). */
  readonly signal?: AbortSignal;
}

export interface FetchJsonOptions extends RestOptions {
  /** What the caller is fetching, for error messages ("the ticker map"). */
  readonly what: string;
}

/** The longest Retry-After polo-ws honours; a server asking for more gets this. */
const MAX_RETRY_AFTER_MS = 60_000;

const USER_AGENT = 'polo-ws (+https://www.npmjs.com/package/polo-ws)';

/**
 * GETs `url` and parses its JSON body. Throws HttpError for network failures, timeouts and
 * non-2xx statuses, BadMarketsError for a body that is not JSON. Messages name the URL and the cause.
 */
export async function fetchJson(url: string, options: FetchJsonOptions): Promise<unknown> {
  const text = await fetchWithRetries(url, options);
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new BadMarketsError(url, `${options.what} from ${url} is not JSON (${describe(error)}): ${excerpt(text)}`);
  }
}

/** fetchText, retried with backoff (or the server's Retry-After) while the failure is transient. */
async function fetchWithRetries(url: string, options: FetchJsonOptions): Promise<string> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fetchText(url, options);
    } catch (error) {
      if (!(error instanceof HttpError) || !isTransient(error) || attempt >= options.retries || options.signal?.aborted === true) throw error;
      const delay = error.retryAfterMs ?? backoffDelay(attempt);
      const why = error.status === undefined ? error.message.replace(/^.*?: /, '').replace(/; check.*$/, '') : `HTTP ${error.status}`;
      options.onRetry?.(`${options.what} request failed (${why}); retry ${attempt + 1} of ${options.retries} in ${(delay / 1000).toFixed(1)} s`);
      await sleep(delay, undefined, { signal: options.signal });
    }
  }
}

/** Network errors, timeouts, 5xx and 429 may pass; other statuses will not. */
function isTransient(error: HttpError): boolean {
  return error.status === undefined || error.status === 429 || error.status >= 500;
}

/** Retry-After as milliseconds: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (text === undefined || text.trim() === '') return undefined;
  const ms = /^\d+$/.test(text.trim()) ? Number(text.trim()) * 1000 : Date.parse(text) - now;
  return Number.isFinite(ms) ? Math.min(Math.max(ms, 0), MAX_RETRY_AFTER_MS) : undefined;
}

async function fetchText(url: string, options: FetchJsonOptions): Promise<string> {
  const timeout = AbortSignal.timeout(options.timeoutMs);
  // A stop (SIGINT) ends the request at once, not after the time limit.
  const signal = options.signal === undefined ? timeout : AbortSignal.any([timeout, options.signal]);
  try {
    const response = await request(url, {
      method: 'GET',
      headers: { accept: 'application/json', 'user-agent': USER_AGENT },
      signal,
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
    });
    const body = await response.body.text();
    if (response.statusCode < 200 || response.statusCode > 299) {
      const detail = body.trim() === '' ? '' : `: ${excerpt(body)}`;
      throw new HttpError(url, `cannot fetch ${options.what} from ${url}: HTTP ${response.statusCode}${detail}`, response.statusCode, {
        retryAfterMs: parseRetryAfter(response.headers['retry-after']),
      });
    }
    return body;
  } catch (error) {
    if (error instanceof HttpError) throw error;
    const cause = timeout.aborted ? `no answer within ${options.timeoutMs / 1000} s` : describe(error);
    throw new HttpError(url, `cannot fetch ${options.what} from ${url}: ${cause}; check --rest-url and the network`, undefined, {
      cause: error,
    });
  }
}

/** A short, one-line description of a network error: its message and code. */
export function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  const inner = (error as { cause?: unknown }).cause;
  let message = error.message;
  if (inner instanceof Error && (message === '' || message === 'fetch failed')) message = inner.message;
  if (error instanceof AggregateError && error.errors.length > 0) message = describe(error.errors[0]);
  const withCode = typeof code === 'string' && !message.includes(code) ? `${message} (${code})` : message;
  return withCode.replace(/\s+/g, ' ').trim();
}

/** The first characters of a body, on one line, for an error message. */
export function excerpt(text: string, max = 120): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}
