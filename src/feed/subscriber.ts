import type { Diagnostics } from '../output/diagnostics.js';
import type { Channel, ProtocolAdapter } from '../protocol/types.js';
import type { Confirmations } from './pipeline.js';
import { MAX_TRIES, SubscriptionTracker, type Overdue } from './subscriptions.js';
import { quoted } from '../printable.js';

/** Where subscribe messages go: the current connection. */
export interface Sender {
  send(message: string): void;
}

export interface SubscriberOptions {
  readonly adapter: ProtocolAdapter;
  readonly channels: ReadonlySet<Channel>;
  /** How long a subscription or resync may wait for its ack or snapshot before it is sent again. */
  readonly resyncTimeoutMs: number;
  readonly diagnostics: Diagnostics;
  readonly now: () => number;
  /** Whether a pair's book is trusted (its snapshot arrived). */
  readonly bookLive: (pair: string) => boolean;
  /** A book would not resync after MAX_TRIES: the connection must go. */
  readonly onReplace: () => void;
  /** Reports a server error that answered no awaited subscription (once per text). */
  readonly reportServerError: (message: string) => void;
}

/** Server errors held at once for a subscription report; more are reported at once. */
const MAX_HELD = 100;

/** Names in a warning: a few, then how many more. */
const NAMES_SHOWN = 5;

/**
 * What the current connection is subscribed to, and the wait for the server to confirm it:
 * subscribes on connect and listing, unsubscribes delisted pairs, resubscribes a gapped book, and
 * sends again whatever the server left unconfirmed for resyncTimeoutMs (see SubscriptionTracker).
 */
export class Subscriber implements Confirmations {
  /** Resyncs whose fresh snapshot did not come in time (--stats, the summary). */
  resyncTimeouts = 0;
  private readonly tracker: SubscriptionTracker;
  private readonly confirmable: readonly Channel[];
  private connection: Sender | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** Errors that arrived while something was awaited: reported with it, or alone after the timeout. */
  private held: { readonly message: string; readonly at: number }[] = [];

  constructor(private readonly options: SubscriberOptions) {
    this.tracker = new SubscriptionTracker(options.resyncTimeoutMs);
    this.confirmable = options.adapter.confirmable(options.channels);
  }

  awaiting(): boolean {
    return this.tracker.awaiting;
  }

  confirm(channel: Channel, pairs: readonly string[]): void {
    this.tracker.confirm(channel, pairs);
  }

  /**
   * An error frame does not say what it answers: while a subscription waits, the error is held and
   * named in that subscription's report (so it is reported once), or reported alone if nothing
   * claims it within the timeout.
   */
  serverError(message: string): boolean {
    const now = this.options.now();
    this.tracker.serverError(message, now);
    if (!this.tracker.pending || this.held.length >= MAX_HELD) return false;
    this.held.push({ message, at: now });
    return true;
  }

  /** A connection opened: subscribe every pair, and start watching for confirmations. */
  open(connection: Sender, pairs: readonly string[]): void {
    this.connection = connection;
    this.tracker.clear();
    this.sendAll(this.options.adapter.subscribeMessages(pairs, this.options.channels, true));
    this.tracker.expect(pairs, this.confirmable, this.options.now());
    const every = Math.max(50, Math.min(1000, this.options.resyncTimeoutMs / 4));
    this.timer = setInterval(() => this.check(), every);
  }

  /** The connection is gone: nothing is awaited from it. */
  closed(): void {
    this.release(() => true, new Set());
    clearInterval(this.timer);
    this.timer = undefined;
    this.connection = undefined;
    this.tracker.clear();
  }

  /** Newly listed pairs. */
  subscribe(pairs: readonly string[]): void {
    if (this.connection === undefined || pairs.length === 0) return;
    this.sendAll(this.options.adapter.subscribeMessages(pairs, this.options.channels, false));
    this.tracker.expect(pairs, this.confirmable, this.options.now());
  }

  /** Delisted pairs. */
  unsubscribe(pairs: readonly string[]): void {
    for (const pair of pairs) this.tracker.forget(pair);
    if (pairs.length > 0) this.sendAll(this.options.adapter.unsubscribeMessages(pairs, this.options.channels));
  }

  /** A gap: drop and request the pair's book again, for a fresh snapshot. */
  resync(pair: string): void {
    if (this.connection === undefined) return;
    this.sendAll(this.options.adapter.resubscribeMessages([pair], 'book'));
    this.tracker.resync(pair, this.options.now());
  }

  /** Sends again what is overdue, reports it, and replaces the connection when a book will not resync. */
  check(): void {
    const now = this.options.now();
    const overdue = this.tracker.overdue(now, this.options.bookLive);
    const named = new Set(overdue.flatMap((entry) => (entry.error === undefined ? [] : [entry.error])));
    this.release((at) => now - at >= this.options.resyncTimeoutMs, named);
    if (overdue.length === 0) return;
    let replace = false;
    const groups = new Map<string, Overdue[]>();
    for (const entry of overdue) {
      if (entry.purpose === 'resync') {
        this.resyncTimeouts++;
        replace ||= entry.action === 'replace';
        this.reportResync(entry);
      }
      const k = `${entry.action} ${entry.channel} ${entry.tries} ${entry.purpose}`;
      const group = groups.get(k);
      if (group === undefined) groups.set(k, [entry]);
      else group.push(entry);
    }
    for (const entries of groups.values()) this.act(entries);
    if (replace) this.options.onReplace();
  }

  private act(entries: readonly Overdue[]): void {
    const first = entries[0];
    if (first === undefined || first.action === 'replace') return;
    const pairs = entries.map((entry) => entry.pair);
    if (first.action === 'retry') this.sendAll(this.options.adapter.resubscribeMessages(pairs, first.channel));
    if (first.purpose === 'resync') return;
    // A subscription is reported when first sent again and when given up, not on every try.
    const seconds = this.options.resyncTimeoutMs / 1000;
    const what = `${first.channel} subscription of ${names(pairs)}`;
    if (first.action === 'retry' && first.tries === 2) {
      this.options.diagnostics.warn('subscription', `${what} not confirmed within ${seconds} s${because(entries)}: subscribing again`);
    } else if (first.action === 'give-up') {
      this.options.diagnostics.warn('subscription', `${what} not confirmed after ${MAX_TRIES} tries${because(entries)}: not retried before the next reconnect`);
    }
  }

  private reportResync(entry: Overdue): void {
    const seconds = this.options.resyncTimeoutMs / 1000;
    const message =
      entry.action === 'replace'
        ? `no fresh ${entry.pair} snapshot after ${MAX_TRIES} tries${because([entry])}: replacing the connection`
        : `no fresh ${entry.pair} snapshot within ${seconds} s of resubscribing${because([entry])}: resubscribing again (try ${entry.tries} of ${MAX_TRIES})`;
    this.options.diagnostics.warn('resync', message);
  }

  /** Drops held errors that a report named; reports alone those `due` says waited long enough. */
  private release(due: (at: number) => boolean, named: ReadonlySet<string>): void {
    if (this.held.length === 0) return;
    const kept: { readonly message: string; readonly at: number }[] = [];
    for (const error of this.held) {
      if (named.has(error.message)) continue;
      if (due(error.at)) this.options.reportServerError(error.message);
      else kept.push(error);
    }
    this.held = kept;
  }

  private sendAll(messages: readonly string[]): void {
    for (const message of messages) this.connection?.send(message);
  }
}

function names(pairs: readonly string[]): string {
  const shown = pairs.slice(0, NAMES_SHOWN).join(', ');
  return pairs.length > NAMES_SHOWN ? `${shown} and ${pairs.length - NAMES_SHOWN} more` : shown;
}

/** " (server said: "...")" for the latest server error any of these saw, quoted so no control character reaches the terminal. */
function because(entries: readonly Overdue[]): string {
  const error = entries.find((entry) => entry.error !== undefined)?.error;
  return error === undefined ? '' : ` (server said: ${quoted(error, 120)})`;
}
