import { V3_CHANNELS, type V3Channel } from './v3-wire.js';

/**
 * Client commands of the current API and what a connection is subscribed to. A subscription is
 * per channel: a set of pair ids, or "all" (ticker and trades only).
 */

/** A parsed client command, or the error message to answer it with. */
export type V3Command =
  | { readonly event: 'ping' | 'unsubscribe_all' | 'list_subscriptions' }
  | { readonly event: 'subscribe' | 'unsubscribe'; readonly channels: readonly string[]; readonly symbols: readonly string[] }
  | { readonly event: 'error'; readonly message: string };

/** The answer to `{"event":"ping"}`. */
export const PONG = JSON.stringify({ event: 'pong' });

/** The symbol name that stands for every symbol. */
export const ALL = 'all';

/** `{"event":"error","message":...}` */
export function errorMessage(message: string): string {
  return JSON.stringify({ event: 'error', message });
}

/** `{"event":"subscribe"|"unsubscribe","channel":"book_lv2","symbols":[...]}`: one per channel. */
export function ackMessage(event: 'subscribe' | 'unsubscribe', channel: V3Channel, symbols: readonly string[]): string {
  return JSON.stringify({ event, channel, symbols });
}

/** The answer to unsubscribe_all. */
export const UNSUBSCRIBE_ALL_ACK = JSON.stringify({ event: 'unsubscribe_all', channel: 'ALL', symbols: [] });

/** Whether `name` is a channel the simulator serves. */
export function isChannel(name: string): name is V3Channel {
  return (V3_CHANNELS as readonly string[]).includes(name);
}

const strings = (value: unknown): string[] | undefined =>
  Array.isArray(value) && value.every((v) => typeof v === 'string') ? value : typeof value === 'string' ? [value] : undefined;

/**
 * Parses `{"event":"subscribe"|"unsubscribe","channel":[...],"symbols":[...]}`, `{"event":"ping"}`,
 * `{"event":"unsubscribe_all"}` and `{"event":"list_subscriptions"}`; anything else is an error.
 */
export function parseV3Command(text: string): V3Command {
  let message: unknown;
  try {
    message = JSON.parse(text);
  } catch {
    return { event: 'error', message: 'Invalid JSON' };
  }
  if (typeof message !== 'object' || message === null || Array.isArray(message)) return { event: 'error', message: 'Invalid request' };
  const { event, channel, symbols } = message as { event?: unknown; channel?: unknown; symbols?: unknown };
  if (event === 'ping' || event === 'unsubscribe_all' || event === 'list_subscriptions') return { event };
  if (event !== 'subscribe' && event !== 'unsubscribe') return { event: 'error', message: `Invalid event: ${String(event)}` };
  const channels = strings(channel);
  const names = strings(symbols);
  if (channels === undefined || channels.length === 0) return { event: 'error', message: 'Invalid request: channel must list channel names' };
  if (names === undefined || names.length === 0) return { event: 'error', message: 'Invalid request: symbols must list symbols' };
  return { event, channels, symbols: names };
}

/** What one connection is subscribed to. */
export class Subscriptions {
  private readonly byChannel = new Map<V3Channel, Set<number>>(V3_CHANNELS.map((c) => [c, new Set<number>()]));
  private readonly everything = new Set<V3Channel>();

  /** Whether events of `pairId` go out on `channel`. */
  has(channel: V3Channel, pairId: number): boolean {
    return this.everything.has(channel) || this.set(channel).has(pairId);
  }

  /** True when nothing at all is subscribed. */
  get empty(): boolean {
    return this.everything.size === 0 && V3_CHANNELS.every((c) => this.set(c).size === 0);
  }

  /** Adds pairs to a channel; `all` subscribes every symbol. */
  add(channel: V3Channel, pairIds: readonly number[], all: boolean): void {
    if (all) this.everything.add(channel);
    for (const id of pairIds) this.set(channel).add(id);
  }

  /** Removes pairs from a channel; `all` removes every symbol. */
  remove(channel: V3Channel, pairIds: readonly number[], all: boolean): void {
    if (all) {
      this.everything.delete(channel);
      this.set(channel).clear();
    }
    for (const id of pairIds) this.set(channel).delete(id);
  }

  clear(): void {
    this.everything.clear();
    for (const channel of V3_CHANNELS) this.set(channel).clear();
  }

  /** The channels with any subscription. */
  channels(): V3Channel[] {
    return V3_CHANNELS.filter((c) => this.everything.has(c) || this.set(c).size > 0);
  }

  private set(channel: V3Channel): Set<number> {
    const set = this.byChannel.get(channel);
    if (set === undefined) throw new RangeError(`unknown channel ${channel}`);
    return set;
  }
}
