import { InvalidArgumentError } from 'commander';
import { UsageError } from '../errors.js';
import { redactUrl } from '../markets/http.js';
import type { Since } from '../bus/reader.js';

/**
 * Parsers of the NATS options (--publish, --stream, --replicas, --max-age; subscribe's URLs and
 * --since). Like the others, they refuse anything but the plain form, before any connection.
 */

/** nats://host[:port] or tls://host[:port], comma-separated: the servers of one cluster. */
export function natsServers(option: string): (value: string) => string[] {
  return (value) => {
    const servers = value
      .split(',')
      .map((part) => part.trim())
      .filter((part) => part !== '');
    if (servers.length === 0) throw new UsageError(`${option}: expected nats://host:port[,nats://host:port...]`);
    for (const server of servers) {
      const shown = `${option} "${redactUrl(server)}"`;
      let url: URL;
      try {
        url = new URL(server);
      } catch {
        throw new UsageError(`${shown} is not a NATS URL (expected nats://host:port)`);
      }
      if (url.protocol !== 'nats:' && url.protocol !== 'tls:') throw new UsageError(`${shown} must use nats:// or tls://, not ${url.protocol.slice(0, -1)}`);
      if (url.hostname === '' || (url.pathname !== '' && url.pathname !== '/') || url.search !== '' || url.hash !== '') {
        throw new UsageError(`${shown}: expected nats://host:port, nothing after the port`);
      }
    }
    return servers;
  };
}

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const DURATION = /^(\d{1,9}(?:\.\d{1,3})?)(ms|s|m|h|d)$/;

/** A duration such as 90s, 10m, 24h or 7d, in milliseconds. */
export function durationMs(value: string): number | undefined {
  const match = DURATION.exec(value.trim());
  if (match === null) return undefined;
  return Math.round(Number(match[1]) * (UNITS[match[2] as string] as number));
}

/** --max-age: how long the stream keeps events, at least a second. */
export function maxAgeOption(value: string): number {
  const ms = durationMs(value);
  if (ms === undefined || ms < 1000) throw new InvalidArgumentError(`expected a duration of 1s or more such as 90s, 30m, 24h or 7d, got "${value}"`);
  return ms;
}

/** A JetStream stream name: letters, digits, - and _ (no '.', '*', '>' or spaces). */
export function streamName(value: string): string {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(value)) throw new InvalidArgumentError(`expected a stream name of letters, digits, - and _, got "${value}"`);
  return value;
}

/** ISO 8601: a date, or a date and time with an optional zone (2026-11-25T14:00:00Z). */
const ISO_TIME = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

/** --since: all, new, a duration back from now (10m), or an ISO time. */
export function sinceOption(now: () => number): (value: string) => Since {
  return (value) => {
    const text = value.trim();
    if (text === 'all' || text === 'new') return { from: text };
    const ago = durationMs(text);
    if (ago !== undefined) return { from: 'time', time: new Date(now() - ago) };
    const time = ISO_TIME.test(text) ? Date.parse(text) : Number.NaN;
    if (Number.isNaN(time)) throw new InvalidArgumentError(`expected all, new, a duration back from now (90s, 10m, 2h, 1d) or an ISO time (2026-11-25T14:00:00Z), got "${value}"`);
    return { from: 'time', time: new Date(time) };
  };
}
