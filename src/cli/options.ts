import { InvalidArgumentError } from 'commander';
import type { Channel } from '../protocol/types.js';

/** A commander parser for a whole number in [min, max]. */
export function integerOption(min: number, max = Number.MAX_SAFE_INTEGER): (value: string) => number {
  return (value) => {
    if (!/^\d+$/.test(value.trim())) throw new InvalidArgumentError(`expected a whole number, got "${value}"`);
    const n = Number(value);
    if (n < min || n > max) throw new InvalidArgumentError(`expected a number from ${min} to ${max}, got ${value}`);
    return n;
  };
}

/** A commander parser for a count that may also be "unlimited"/"inf" (Infinity). */
export function countOrUnlimited(value: string): number {
  if (/^(unlimited|inf|infinity)$/i.test(value.trim())) return Number.POSITIVE_INFINITY;
  return integerOption(0)(value);
}

/** A commander parser for a positive number of seconds, returned in milliseconds. */
export function secondsOption(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`expected a positive number of seconds, got "${value}"`);
  return Math.round(n * 1000);
}

/** A commander parser for seconds where 0 means never: milliseconds, or Infinity for 0. */
export function secondsOrNever(value: string): number {
  if (value.trim() !== '' && Number(value) === 0) return Number.POSITIVE_INFINITY;
  try {
    return secondsOption(value);
  } catch {
    throw new InvalidArgumentError(`expected a number of seconds (0: never), got "${value}"`);
  }
}

/** A commander parser for a URL with one of the allowed schemes. */
export function urlOption(schemes: readonly string[]): (value: string) => string {
  return (value) => {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      throw new InvalidArgumentError(`"${value}" is not a URL (expected ${schemes.join(' or ')}://host[:port])`);
    }
    if (!schemes.includes(url.protocol.slice(0, -1))) {
      throw new InvalidArgumentError(`"${value}" must use ${schemes.join(' or ')}, not ${url.protocol.slice(0, -1)}`);
    }
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
