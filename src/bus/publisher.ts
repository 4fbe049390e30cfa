import { createInbox, headers, type Msg, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import type { AppliedTap } from '../book/processor.js';
import type { FeedEvent, TickerFields, TradeItem } from '../protocol/types.js';
import type { OrderBook } from '../book/book.js';
import { bookMessages, checkpointMessage, tickerMessage, tradeMessage, type BusMessage } from './wire.js';

/** Messages sent and not yet acknowledged by JetStream at most: the ack round trips overlap. */
const WINDOW = 1024;
/** Messages waiting (sent or not) past which the feed is held back, and below which it runs again. */
const HIGH_WATER = 8192;
const LOW_WATER = HIGH_WATER / 2;
/** Their text past which the feed is held back too (large snapshots). */
const HIGH_WATER_BYTES = 32 * 1024 * 1024;
/** An ack this late (while connected) counts as lost: the messages from it on are sent again. */
const ACK_TIMEOUT_MS = 5_000;
/** Resends after a refusal wait this long first, doubling up to the maximum until one is stored. */
const MIN_RETRY_DELAY_MS = 100;
const MAX_RETRY_DELAY_MS = 2_000;

interface Entry {
  readonly message: BusMessage;
  /** Which send this is waiting for (its reply subject's last token); -1 before it is sent. */
  attempt: number;
  sentAt: number;
  state: 'queued' | 'sent' | 'done' | 'failed';
}

export interface PublisherHooks {
  /** Too much waits for NATS: stop reading the feed (true) until it caught up (false). */
  readonly onBlocked: (blocked: boolean) => void;
  readonly warn: (message: string) => void;
  readonly now: () => number;
}

/**
 * Publishes every applied event to JetStream in the order polo-ws applied it, and never loses one:
 *
 * - Each message carries its exchange-derived id (Nats-Msg-Id: redundant publishers are stored once)
 *   and the id of the message sent before it (Nats-Expected-Last-Msg-Id). JetStream checks the id
 *   for a duplicate first, then the chain: a message can only be stored right after its predecessor,
 *   so when one is lost (a node dies mid-send, a leader moves), every later one fails rather than
 *   landing out of order.
 * - Up to WINDOW messages are in flight; an error, a lost ack or a reconnect stops sending until
 *   every one in flight is answered or timed out, then everything unconfirmed is sent again in
 *   order, the first without a chain (stored after whatever the stream holds now), duplicates of
 *   what was stored after all being dropped by JetStream.
 * - Another publisher's messages break the chain too; the same resend repairs it (slower, never wrong).
 */
export class Publisher implements AppliedTap {
  private readonly queue: Entry[] = [];
  /** queue[0 .. head) are confirmed and dropped lazily. */
  private head = 0;
  /** The first entry not yet sent. */
  private next = 0;
  private readonly inflight = new Map<number, Entry>();
  private attempts = 0;
  private queuedBytes = 0;
  private at = 0;
  private tickers = 0;
  /** The sequence number each pair's last checkpoint had. */
  private readonly checkpointed = new Map<string, number>();
  /** The id of the last message sent in the current chain; undefined: the next goes unchained. */
  private chainLast: string | undefined;
  private recovering = false;
  /** Wait before the next resend: 0 after a broken chain (another publisher), growing while NATS refuses. */
  private retryDelayMs = 0;
  private waitBeforeResend = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private connected = true;
  private blocked = false;
  private closed = false;
  private readonly inbox: string;
  private readonly subscription: Subscription;
  private readonly timer: NodeJS.Timeout;
  private idleWaiters: Array<() => void> = [];
  private readonly runId = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;

  constructor(
    private readonly nc: NatsConnection,
    private readonly hooks: PublisherHooks,
  ) {
    this.inbox = createInbox();
    this.subscription = nc.subscribe(`${this.inbox}.*`, { callback: (error, msg) => this.onAck(error, msg) });
    this.timer = setInterval(() => this.checkTimeouts(), 1_000);
    this.timer.unref();
  }

  /** The receive time of the frame whose events follow. */
  begin(at: number): void {
    this.at = at;
  }

  book(event: Extract<FeedEvent, { kind: 'book' }>, from: number): void {
    for (const message of bookMessages(event.pair, event.seq, event.prevSeq, event.items, from, this.at)) this.enqueue(message);
  }

  trade(pair: string, trade: TradeItem): void {
    this.enqueue(tradeMessage(pair, trade, this.at));
  }

  ticker(pair: string, fields: TickerFields, time: string | undefined): void {
    this.enqueue(tickerMessage(pair, fields, time, this.at, `${this.runId}-${++this.tickers}`));
  }

  /** Publishes every live book that moved since its last checkpoint, in full, stamped `at`. */
  checkpoint(books: Iterable<{ readonly pair: string; readonly seq: number; readonly book: OrderBook }>, at: number): void {
    for (const { pair, seq, book } of books) {
      if (this.checkpointed.get(pair) === seq) continue;
      this.checkpointed.set(pair, seq);
      this.enqueue(checkpointMessage(pair, seq, book.top('ask', Number.POSITIVE_INFINITY), book.top('bid', Number.POSITIVE_INFINITY), at));
    }
  }

  /** Messages not yet confirmed by JetStream. */
  get pending(): number {
    return this.queue.length - this.head;
  }

  /** The connection is gone (a node died): hold everything until it is back, then resend. */
  disconnected(): void {
    this.connected = false;
  }

  reconnected(): void {
    this.connected = true;
    this.recover();
  }

  /** Resolves once every message so far is confirmed, or after `timeoutMs`: how many were not. */
  async settle(timeoutMs: number): Promise<number> {
    if (this.pending > 0) {
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => {
        this.idleWaiters.push(resolve);
        timer = setTimeout(resolve, timeoutMs);
      });
      clearTimeout(timer);
    }
    return this.pending;
  }

  close(): void {
    this.closed = true;
    clearInterval(this.timer);
    clearTimeout(this.retryTimer);
    this.subscription.unsubscribe();
    for (const resolve of this.idleWaiters) resolve();
    this.idleWaiters = [];
  }

  private enqueue(message: BusMessage): void {
    this.queue.push({ message, attempt: -1, sentAt: 0, state: 'queued' });
    this.queuedBytes += message.data.length;
    if (!this.blocked && (this.pending >= HIGH_WATER || this.queuedBytes >= HIGH_WATER_BYTES)) {
      this.blocked = true;
      this.hooks.onBlocked(true);
    }
    this.pump();
  }

  /** Sends queued messages while the window has room and nothing is being repaired. */
  private pump(): void {
    while (!this.closed && this.connected && !this.recovering && this.inflight.size < WINDOW && this.next < this.queue.length) {
      const entry = this.queue[this.next++] as Entry;
      if (entry.state === 'done') continue;
      this.send(entry);
    }
  }

  private send(entry: Entry): void {
    const { message } = entry;
    const h = headers();
    h.set('Nats-Msg-Id', message.id);
    if (this.chainLast !== undefined) h.set('Nats-Expected-Last-Msg-Id', this.chainLast);
    const attempt = ++this.attempts;
    try {
      this.nc.publish(message.subject, message.data, { reply: `${this.inbox}.${attempt}`, headers: h });
    } catch (error) {
      // Only a message over the server's max_payload throws here: it can never be stored.
      this.hooks.warn(`an event of ${message.data.length} bytes (${message.id}) is over the NATS server's max_payload and was not published: ${String(error)}`);
      entry.state = 'done';
      this.advance();
      return;
    }
    this.chainLast = message.id;
    entry.attempt = attempt;
    entry.sentAt = this.hooks.now();
    entry.state = 'sent';
    this.inflight.set(attempt, entry);
  }

  private onAck(error: Error | null, msg: Msg): void {
    if (error !== null) return;
    const attempt = Number(msg.subject.slice(this.inbox.length + 1));
    const entry = this.inflight.get(attempt);
    if (entry === undefined) return; // an answer to a send given up on: the resend decides
    this.inflight.delete(attempt);
    const data = msg.data;
    // {"stream":...} is a PubAck (stored, or a duplicate: stored before); anything else is an error or a 503.
    if (data.length > 10 && data[2] === 0x73 /* s */) {
      entry.state = 'done';
      this.retryDelayMs = 0;
      this.advance();
    } else {
      entry.state = 'failed';
      const reason = failure(msg);
      // A broken chain is another publisher's message in between: resend at once. Anything else
      // (no stream leader while a cluster elects one: 503) is waited out, 0.1 s doubling to 2 s.
      if (!/wrong last msg ID/i.test(reason)) {
        this.retryDelayMs = Math.min(MAX_RETRY_DELAY_MS, Math.max(MIN_RETRY_DELAY_MS, this.retryDelayMs * 2));
        this.waitBeforeResend = true;
        if (!this.recovering) this.hooks.warn(`NATS did not store ${entry.message.id}: ${reason}; sending again from there`);
      }
      this.recovering = true;
    }
    // The last answer awaited while recovering starts the resend.
    if (this.recovering) this.finishRecovery();
    else this.pump();
  }

  /** Drops confirmed entries from the front; releases the feed and waiters when below the marks. */
  private advance(): void {
    while (this.head < this.queue.length && (this.queue[this.head] as Entry).state === 'done') {
      this.queuedBytes -= (this.queue[this.head] as Entry).message.data.length;
      this.head++;
    }
    if (this.head > 4096 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.next -= this.head;
      this.head = 0;
    }
    if (this.blocked && this.pending <= LOW_WATER && this.queuedBytes < HIGH_WATER_BYTES / 2) {
      this.blocked = false;
      this.hooks.onBlocked(false);
    }
    if (this.pending === 0 && this.idleWaiters.length > 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }

  private checkTimeouts(): void {
    if (!this.connected || this.inflight.size === 0) return;
    const now = this.hooks.now();
    let late = 0;
    // Give them up: a late answer is ignored, the resend (dropped as a duplicate if stored) decides.
    for (const [attempt, entry] of this.inflight) {
      if (now - entry.sentAt < ACK_TIMEOUT_MS) continue;
      this.inflight.delete(attempt);
      entry.state = 'failed';
      late++;
    }
    if (late === 0) return;
    if (!this.recovering) this.hooks.warn(`no answer from NATS for ${late} message${late === 1 ? '' : 's'} in ${ACK_TIMEOUT_MS / 1000} s: sending them again`);
    this.recover();
  }

  /** Stops sending; once nothing is in flight, finishRecovery sends again from the first unconfirmed message. */
  private recover(): void {
    this.recovering = true;
    this.finishRecovery();
  }

  /** Once nothing is in flight (and any retry delay passed): rewind to the first unconfirmed message and send from there, unchained. */
  private finishRecovery(): void {
    if (!this.recovering || this.inflight.size > 0 || !this.connected || this.closed || this.retryTimer !== undefined) return;
    if (this.waitBeforeResend) {
      this.waitBeforeResend = false;
      this.retryTimer = setTimeout(() => {
        this.retryTimer = undefined;
        this.finishRecovery();
      }, this.retryDelayMs);
      return;
    }
    this.recovering = false;
    let first = this.head;
    while (first < this.queue.length && (this.queue[first] as Entry).state === 'done') first++;
    for (let i = first; i < this.next; i++) {
      const entry = this.queue[i] as Entry;
      if (entry.state !== 'done') entry.state = 'queued';
    }
    this.next = first;
    this.chainLast = undefined;
    this.pump();
  }
}

function failure(msg: Msg): string {
  const status = msg.headers?.code;
  if (status !== undefined && status !== 0) return `status ${status}${msg.headers?.description ? ` ${msg.headers.description}` : ''}`;
  try {
    const parsed = JSON.parse(msg.string()) as { error?: { description?: unknown } };
    if (typeof parsed.error?.description === 'string') return parsed.error.description.slice(0, 200);
  } catch {
    // not JSON: said below
  }
  return `unexpected answer (${msg.data.length} bytes)`;
}
