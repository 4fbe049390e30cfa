import { InvalidArgumentError } from 'commander';
import { UsageError } from '../errors.js';
import { redactUrl } from '../markets/http.js';
import type { Channel } from '../protocol/types.js';

/** Plain decimal digits: no sign, hex (0x10), exponent (1e3), Infinity or NaN. */
const WHOLE = /^\d+$/;
/** A plain decimal number: digits with an optional fraction (0.5, .5, 10). */
const DECIMAL = /^(\d+(\.\d*)?|\.\d+)$/;

/**
 * The longest wait a Node timer holds, in whole seconds: setTimeout takes at most 2^31-1 ms and
 * fires at once for more, so a longer --duration would stop the stream as it starts.
 */
export const MAX_TIMER_SECONDS = Math.floor((2 ** 31 - 1) / 1000); // 2147483 s, about 24.8 days

/**
 * The shortest time option taken: 100 ms. Below it a timeout would replace a connection before a
 * frame could arrive, and a value that rounds to 0 ms would make a timer spin.
 */
export const MIN_SECONDS = 0.1;

const SECONDS_RANGE = `seconds from ${MIN_SECONDS} to ${MAX_TIMER_SECONDS} (about 24.8 days) as a plain decimal number`;

/** A commander parser for a whole number in [min, max], written in decimal digits. */
export function integerOption(min: number, max = Number.MAX_SAFE_INTEGER): (value: string) => number {
  return (value) => {
    const n = WHOLE.test(value.trim()) ? Number(value) : Number.NaN;
    if (!(n >= min && n <= max)) throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}, got "${value}"`);
    return n;
  };
}

/** A commander parser for a count that may also be "unlimited"/"inf" (Infinity). */
export function countOrUnlimited(value: string): number {
  if (/^(unlimited|inf|infinity)$/i.test(value.trim())) return Number.POSITIVE_INFINITY;
  return integerOption(0)(value);
}

/**
 * A commander parser for seconds from MIN_SECONDS to MAX_TIMER_SECONDS, written as a plain
 * decimal, returned in whole milliseconds.
 */
export function secondsOption(value: string): number {
  const n = DECIMAL.test(value.trim()) ? Number(value) : Number.NaN;
  if (!(n >= MIN_SECONDS && n <= MAX_TIMER_SECONDS)) throw new InvalidArgumentError(`expected ${SECONDS_RANGE}, got "${value}"`);
  return Math.round(n * 1000);
}

/** A commander parser for seconds where 0 means never: milliseconds, or Infinity for 0. */
export function secondsOrNever(value: string): number {
  if (DECIMAL.test(value.trim()) && Number(value) === 0) return Number.POSITIVE_INFINITY;
  try {
    return secondsOption(value);
  } catch {
    throw new InvalidArgumentError(`expected 0 (never) or ${SECONDS_RANGE}, got "${value}"`);
  }
}

/**
 * A commander parser for a URL with one of the allowed schemes. A websocket URL may not have a
 * #fragment (RFC 6455; ws refuses it). Throws UsageError, not InvalidArgumentError: commander would
 * echo the value as typed, credentials and all; this message shows it redacted.
 */
export function urlOption(schemes: readonly string[], option = schemes.includes('ws') ? '--ws-url' : '--rest-url'): (value: string) => string {
  return (value) => {
    const shown = `${option} "${redactUrl(value)}"`;
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      throw new UsageError(`${shown} is not a URL (expected ${schemes.join(' or ')}://host[:port])`);
    }
    const scheme = url.protocol.slice(0, -1);
    if (!schemes.includes(scheme)) throw new UsageError(`${shown} must use ${schemes.join(' or ')}, not ${scheme}`);
    if (url.hash !== '' && (scheme === 'ws' || scheme === 'wss')) throw new UsageError(`${shown}: a websocket URL cannot have a #fragment`);
    return value;
  };
}

/** A commander parser for a comma-separated list of pair names. */
export function pairList(value: string): string[] {
  const pairs = value
    .split(',')
    .map((pair) => pair.trim())
    .filter((pair) => pair !== '');
  if (pairs.length === 0) throw new InvalidArgumentError('expected pair names such as BTC_ETH,USDT_BTC');
  return pairs;
}

/** A commander parser for --channels: a comma-separated subset of ticker, book, trades. */
export function channelList(value: string): Set<Channel> {
  const channels = new Set<Channel>();
  for (const name of value.split(',').map((part) => part.trim().toLowerCase())) {
    if (name === '') continue;
    if (name !== 'ticker' && name !== 'book' && name !== 'trades') {
      throw new InvalidArgumentError(`unknown channel "${name}" (expected ticker, book, trades)`);
    }
    channels.add(name);
  }
  if (channels.size === 0) throw new InvalidArgumentError('expected one or more of ticker, book, trades');
  return channels;
}
