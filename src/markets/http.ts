import { request } from 'undici';
import { BadMarketsError, HttpError } from '../errors.js';

export interface FetchJsonOptions {
  /** The whole request, body included, must finish within this many milliseconds. */
  readonly timeoutMs: number;
  /** What the caller is fetching, for error messages ("the ticker map"). */
  readonly what: string;
}

const USER_AGENT = 'polo-ws (+https://www.npmjs.com/package/polo-ws)';

/**
 * GETs `url` and parses its JSON body. Throws HttpError for network failures, timeouts and
 * non-2xx statuses, BadMarketsError for a body that is not JSON. Messages name the URL and the cause.
 */
export async function fetchJson(url: string, options: FetchJsonOptions): Promise<unknown> {
  const text = await fetchText(url, options);
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new BadMarketsError(url, `${options.what} from ${url} is not JSON (${describe(error)}): ${excerpt(text)}`);
  }
}

async function fetchText(url: string, options: FetchJsonOptions): Promise<string> {
  const signal = AbortSignal.timeout(options.timeoutMs);
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
      throw new HttpError(url, `cannot fetch ${options.what} from ${url}: HTTP ${response.statusCode}${detail}`, response.statusCode);
    }
    return body;
  } catch (error) {
    if (error instanceof HttpError) throw error;
    const cause = signal.aborted ? `no answer within ${options.timeoutMs / 1000} s` : describe(error);
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
