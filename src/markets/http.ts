import { setTimeout as sleep } from 'node:timers/promises';
import { request } from './undici-request.js';
import { BadMarketsError, HttpError, PoloError } from '../errors.js';
import { backoffDelay } from '../backoff.js';
import { describe, excerpt } from '../printable.js';

/** How REST requests are made: per-request timeout and retries of transient failures. */
export interface RestOptions {
  /** The whole request, body included, must finish within this many milliseconds. */
  readonly timeoutMs: number;
  /** Retries after a network error, timeout, HTTP 5xx or 429 (0: fail at once). */
  readonly retries: number;
  /** Told of each retry, one line: what failed and when the next try is. */
  readonly onRetry?: (message: string) => void;
  /** Ends a request under way and the waits between retries (SIGINT). */
  readonly signal?: AbortSignal;
}

export interface FetchJsonOptions extends RestOptions {
  /** What the caller is fetching, for error messages ("the ticker map"). */
  readonly what: string;
}

/**
 * The largest body polo-ws reads. The real /markets and returnTicker are a few hundred KiB; a peer
 * sending more (or an endless body) would otherwise grow memory without bound.
 */
export const MAX_BODY_BYTES = 8 * 1024 * 1024;

/** Of an error answer only the start is shown, so only the start is read. */
const ERROR_BODY_BYTES = 4096;

/** The longest Retry-After polo-ws honours; a server asking for more gets this. */
const MAX_RETRY_AFTER_MS = 60_000;

const USER_AGENT = 'polo-ws (+https://www.npmjs.com/package/polo-ws)';

/**
 * GETs `url` and parses its JSON body. Throws HttpError for network failures, timeouts and
 * non-2xx statuses, BadMarketsError for a body that is not JSON or larger than MAX_BODY_BYTES.
 * Messages name the URL (credentials redacted) and the cause.
 */
export async function fetchJson(url: string, options: FetchJsonOptions): Promise<unknown> {
  const text = await fetchWithRetries(url, options);
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const shown = redactUrl(url);
    throw new BadMarketsError(shown, `${options.what} from ${shown} is not JSON (${describe(error)}): ${excerpt(text)}`);
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
      options.onRetry?.(`${options.what} request failed (${error.reason}); retry ${attempt + 1} of ${options.retries} in ${(delay / 1000).toFixed(1)} s`);
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
  const shown = redactUrl(url);
  // The one limit for the whole request, body included: bodyTimeout alone lets a trickle run forever.
  const timeout = AbortSignal.timeout(options.timeoutMs);
  // A stop (SIGINT) ends the request at once, not after the time limit.
  const signal = options.signal === undefined ? timeout : AbortSignal.any([timeout, options.signal]);
  let answered = false;
  try {
    const { href, authorization } = splitCredentials(url);
    const response = await request(href, {
      method: 'GET',
      headers: { accept: 'application/json', 'user-agent': USER_AGENT, ...(authorization === undefined ? {} : { authorization }) },
      signal,
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
    });
    answered = true;
    if (response.statusCode < 200 || response.statusCode > 299) {
      const body = await readBody(response.body, ERROR_BODY_BYTES);
      const detail = body.text.trim() === '' ? '' : `: ${excerpt(body.text)}`;
      throw new HttpError(shown, `cannot fetch ${options.what} from ${shown}: HTTP ${response.statusCode}${detail}`, response.statusCode, {
        retryAfterMs: parseRetryAfter(response.headers['retry-after']),
      });
    }
    return await readWholeBody(response, shown, options.what);
  } catch (error) {
    if (error instanceof PoloError) throw error;
    const limit = `${options.timeoutMs / 1000} s`;
    const cause = timeout.aborted ? (answered ? `no complete answer within ${limit}` : `no answer within ${limit}`) : describe(error);
    throw new HttpError(shown, `cannot fetch ${options.what} from ${shown}: ${cause}; check --rest-url and the network`, undefined, {
      cause: error,
      reason: cause,
    });
  }
}

type ResponseData = Awaited<ReturnType<typeof request>>;

/** The body of a 2xx answer as text; BadMarketsError, not a retry, when it is over MAX_BODY_BYTES. */
async function readWholeBody(response: ResponseData, shown: string, what: string): Promise<string> {
  const declared = Number(response.headers['content-length']);
  // A declared size over the limit is refused before a byte of it is read.
  if (Number.isFinite(declared) && declared > MAX_BODY_BYTES) {
    response.body.destroy();
    throw new BadMarketsError(shown, `${what} from ${shown} is too large: ${declared} bytes (content-length), over the ${mib(MAX_BODY_BYTES)} limit`);
  }
  const body = await readBody(response.body, MAX_BODY_BYTES);
  if (!body.complete) throw new BadMarketsError(shown, `${what} from ${shown} is too large: more than the ${mib(MAX_BODY_BYTES)} limit; stopped reading it`);
  return body.text;
}

/**
 * Reads at most `limit` bytes of a body. Stopping early (complete: false) destroys the stream,
 * which closes the connection: an endless body costs `limit` bytes, not memory without bound.
 */
async function readBody(body: AsyncIterable<Buffer>, limit: number): Promise<{ text: string; complete: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  let complete = true;
  for await (const chunk of body) {
    if (size + chunk.length > limit) {
      chunks.push(chunk.subarray(0, limit - size));
      size = limit;
      complete = false;
      break; // ends the iterator, which destroys the body
    }
    chunks.push(chunk);
    size += chunk.length;
  }
  return { text: Buffer.concat(chunks, size).toString('utf8'), complete };
}

function mib(bytes: number): string {
  return `${bytes / (1024 * 1024)} MiB`;
}

/**
 * The URL without its user:password, and those as a Basic Authorization header: undici ignores
 * credentials in a URL, and a URL that carries them must not reach a message.
 */
function splitCredentials(url: string): { href: string; authorization: string | undefined } {
  const parsed = new URL(url);
  if (parsed.username === '' && parsed.password === '') return { href: url, authorization: undefined };
  const userinfo = `${decodePart(parsed.username)}:${decodePart(parsed.password)}`;
  parsed.username = '';
  parsed.password = '';
  return { href: parsed.href, authorization: `Basic ${Buffer.from(userinfo, 'utf8').toString('base64')}` };
}

function decodePart(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text; // a stray '%' is kept as typed
  }
}

/** What the URL parser takes as the userinfo: everything up to the last '@' before the path. */
const USERINFO = /^([a-z][a-z0-9+.-]*:\/\/)[^/?#\\]*@/i;

/**
 * `url` with any user:password replaced by `***` (`ws://***@host/path`), for messages: a URL is
 * echoed in errors and warnings, its credentials never are.
 */
export function redactUrl(url: string): string {
  return url.replace(USERINFO, '$1***@');
}



/**
 * An endpoint under a REST base: `path` appended to the base's own path (so a base may sit under a
 * prefix), the base's query kept with `query` added, the fragment dropped (it is never sent).
 */
export function restEndpoint(base: string, path: string, query = ''): string {
  const url = new URL(base);
  url.hash = '';
  url.pathname = url.pathname.replace(/\/+$/, '') + path;
  if (query !== '') url.search = url.search === '' ? `?${query}` : `${url.search}&${query}`;
  return url.href;
}
