import type { Channel } from '../protocol/types.js';

/** Tries of one subscription or resync (the first request included) before polo-ws stops waiting. */
export const MAX_TRIES = 3;

/** Why a subscription is awaited: sent on connect or listing, or sent again after a sequence gap. */
export type Purpose = 'subscribe' | 'resync';

/** A subscription whose wait ran out, and what to do about it. */
export interface Overdue {
  readonly channel: Channel;
  readonly pair: string;
  readonly purpose: Purpose;
  /** The try about to be sent (2, 3), or MAX_TRIES when none is left. */
  readonly tries: number;
  /**
   * retry: send it again; give-up: a subscription never confirmed, left until the next connection;
   * replace: a book that will not resync, so the connection is replaced.
   */
  readonly action: 'retry' | 'give-up' | 'replace';
  /** The latest server error since the try was sent (an error frame does not say what it answers). */
  readonly error: string | undefined;
}

interface Pending {
  readonly channel: Channel;
  readonly pair: string;
  purpose: Purpose;
  /** When the latest try was sent. */
  since: number;
  tries: number;
}

/**
 * The subscriptions of one connection that the server has not confirmed yet: ticker and trades by
 * an ack (or their first data), a book by its snapshot. Each waits `timeoutMs`, then is sent again,
 * up to MAX_TRIES. Pure: time comes in as `now`, the caller sends and reports.
 */
export class SubscriptionTracker {
  private readonly entries = new Map<string, Pending>();
  /** Pending ticker and trades subscriptions: while there are any, data events are reported. */
  private unacked = 0;
  private lastError: { readonly message: string; readonly at: number } | undefined;

  constructor(private readonly timeoutMs: number) {}

  /** True while anything waits for its ack or snapshot. */
  get pending(): boolean {
    return this.entries.size > 0;
  }

  /** True while a ticker or trades subscription waits for its ack. */
  get awaiting(): boolean {
    return this.unacked > 0;
  }

  /** Subscriptions were just sent for these pairs and channels. */
  expect(pairs: readonly string[], channels: readonly Channel[], now: number): void {
    for (const channel of channels) for (const pair of pairs) this.add(channel, pair, 'subscribe', now);
  }

  /** A pair's book was just unsubscribed and subscribed again after a gap: try 1 of its resync. */
  resync(pair: string, now: number): void {
    this.add('book', pair, 'resync', now);
  }

  /** The server acked (or sent data of) this channel for these pairs. Books wait for their snapshot. */
  confirm(channel: Channel, pairs: readonly string[]): void {
    if (channel === 'book') return;
    for (const pair of pairs) this.remove(key(channel, pair));
  }

  /** An error frame arrived: it explains whatever is still waiting. */
  serverError(message: string, now: number): void {
    this.lastError = { message, at: now };
  }

  /** A delisted pair: nothing of it is awaited any more. */
  forget(pair: string): void {
    for (const channel of ['ticker', 'trades', 'book'] as const) this.remove(key(channel, pair));
  }

  /** A new connection: nothing of the old one is awaited. */
  clear(): void {
    this.entries.clear();
    this.unacked = 0;
    this.lastError = undefined;
  }

  /**
   * The subscriptions whose wait ran out by `now`; `bookLive(pair)` says whether a pair's snapshot
   * has arrived (which confirms its book). Retries are counted here: send what it says.
   */
  overdue(now: number, bookLive: (pair: string) => boolean): Overdue[] {
    const out: Overdue[] = [];
    for (const [k, entry] of this.entries) {
      if (entry.channel === 'book' && bookLive(entry.pair)) {
        this.remove(k);
        continue;
      }
      if (now - entry.since < this.timeoutMs) continue;
      const error = this.lastError !== undefined && this.lastError.at >= entry.since ? this.lastError.message : undefined;
      const last = entry.tries >= MAX_TRIES;
      const action = !last ? 'retry' : entry.purpose === 'resync' ? 'replace' : 'give-up';
      if (last) this.remove(k);
      else {
        entry.tries++;
        entry.since = now;
      }
      out.push({ channel: entry.channel, pair: entry.pair, purpose: entry.purpose, tries: entry.tries, action, error });
    }
    return out;
  }

  private add(channel: Channel, pair: string, purpose: Purpose, now: number): void {
    const k = key(channel, pair);
    if (!this.entries.has(k) && channel !== 'book') this.unacked++;
    this.entries.set(k, { channel, pair, purpose, since: now, tries: 1 });
  }

  private remove(k: string): void {
    const entry = this.entries.get(k);
    if (entry === undefined) return;
    this.entries.delete(k);
    if (entry.channel !== 'book') this.unacked--;
  }
}

function key(channel: Channel, pair: string): string {
  return `${channel} ${pair}`;
}
