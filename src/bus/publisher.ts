import { Buffer } from 'node:buffer';
import { createInbox, headers, type Msg, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import type { AppliedTap } from '../book/processor.js';
import type { FeedEvent, TickerFields, TradeItem } from '../protocol/types.js';
import type { OrderBook } from '../book/book.js';
import { bookMessages, checkpointMessage, tickerMessage, tradeMessage, type BusMessage } from './wire.js';

/** Messages waiting for JetStream's confirmation past which the feed is held back, and below which it runs again. */
const HIGH_WATER = 8192;
const LOW_WATER = HIGH_WATER / 2;
/** Their bytes past which the feed is held back too (large snapshots). */
const HIGH_WATER_BYTES = 32 * 1024 * 1024;
/** An ack this late (while connected) counts as lost: the messages from it on are sent again. */
const ACK_TIMEOUT_MS = 5_000;
/** Resends after a refusal wait this long first, doubling up to the maximum until one is stored. */
const MIN_RETRY_DELAY_MS = 100;
const MAX_RETRY_DELAY_MS = 2_000;
/** Until another publisher shows, one message in this many asks JetStream for an answer (and the last of each write). */
const ASK_EVERY = 64;
/** Messages go to the connection in one write once this many characters wait, or when the current task ends. */
const WRITE_BATCH_CHARS = 64 * 1024;

/**
 * What the publisher needs of nats.js's connection besides its public API: the protocol handler's
 * write queue, where publish() puts its commands too. publish() encodes three buffers a message
 * (command line, headers, payload) and builds a headers object on the way: measured at 6-7 us a
 * message with its answer, as much as polo-ws's whole work for a frame. Written as text, many
 * messages a write, the same cost about half. The connection (servers, reconnects, auth, pings,
 * the answers' subscription) stays nats.js's; without that queue (another nats.js), each message
 * goes through publish().
 */
interface ProtocolWriter {
  sendCommand(command: Uint8Array): void;
}

/**
 * One write: the HPUB commands of messages first .. first + starts.length - 1, as sent, kept until
 * JetStream confirmed them all. A Buffer lives outside the JS heap: thousands of messages waiting
 * for their acks cost the garbage collector one object, not five each.
 */
interface Batch {
  readonly bytes: Buffer;
  readonly first: number;
  /** Where each message's HPUB command starts in `bytes`. */
  readonly starts: Uint32Array;
  /** When it went to the connection; 0 while held (recovering, disconnected). */
  sentAt: number;
}

export interface PublisherHooks {
  /** Too much waits for NATS: stop reading the feed (true) until it caught up (false). */
  readonly onBlocked: (blocked: boolean) => void;
  readonly warn: (message: string) => void;
  readonly info: (message: string) => void;
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
 * - Messages are numbered; those that ask for an answer have the reply subject
 *   `<inbox>.<round>.<number>`. A refusal, a lost ack or a reconnect starts a new round: everything
 *   from the first unconfirmed message is sent again in order, each asking for its answer, the first
 *   without a chain (stored after whatever the stream holds now), duplicates of what was stored
 *   after all dropped by JetStream, answers to earlier rounds ignored.
 * - Alone on the stream, one message in ASK_EVERY asks (and the last of each write): one that is
 *   stored, not as a duplicate, vouches for every message since the last that did, since each was
 *   stored right after the one before it (the chain). JetStream's stream sequence in the answer must
 *   have moved by exactly their number, else someone else wrote in between. Answers are most of
 *   what publishing costs: asking for each would double it.
 * - Another publisher (a duplicate, a broken chain or a sequence that moved by more) makes every
 *   message ask for its answer from then on, and starts a resend: its messages can break the chain,
 *   and a duplicate stored by it would vouch for nothing. The same resend repairs a broken chain
 *   (slower, never wrong).
 * - Messages are written as NATS protocol text, many per write; the bytes are kept (outside the JS
 *   heap) until confirmed, and read back for a resend.
 */
export class Publisher implements AppliedTap {
  /** Messages numbered so far: the next one's number. */
  private next = 0;
  /** Every message numbered below this is confirmed. */
  private confirmed = 0;
  /** Confirmed out of order (above `confirmed`), by number modulo its length (a power of two, grown as needed). */
  private acked = new Uint8Array(HIGH_WATER * 2);
  /** Written, not yet all confirmed, oldest first. */
  private batches: Batch[] = [];
  private batchedBytes = 0;
  /** The write being put together. */
  private text = '';
  private textStarts: number[] = [];
  private textFirst = 0;
  /**
   * The last message appended, not yet in `text`: whether it asks for an answer is known once the
   * next one comes (no) or the write happens (yes, as the last of its write). Its command in two
   * parts, the reply subject (if any) to go between them.
   */
  private heldStart = '';
  private heldEnd = '';
  private heldNumber = -1;
  private writeScheduled = false;
  /** Resends start a new round: answers to another round's reply subjects are ignored. */
  private round = 0;
  /** Messages numbered below this were sent in an earlier round (resent in this one): each asks for its answer. */
  private freshFrom = 0;
  /** Every message asks for its answer: set for the rest of the run once another publisher shows. */
  private askEach = false;
  /** The last message written that asks for an answer. */
  private lastAsked = -1;
  /** The last fresh message of this round whose answer vouched for those before it, and its stream sequence. */
  private vouchedNumber = -1;
  private vouchedSeq = 0;
  /** The id of the last message written in the current chain; undefined: the next goes unchained. */
  private chainLast: string | undefined;
  private at = 0;
  private tickers = 0;
  /** The sequence number each pair's last checkpoint had. */
  private readonly checkpointed = new Map<string, number>();
  /** A resend is due (after a refusal, a lost ack, a reconnect): nothing is written until it starts. */
  private recovering = false;
  /** Wait before the next resend: 0 after a broken chain (another publisher), growing while NATS refuses. */
  private retryDelayMs = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private connected = true;
  private blocked = false;
  private closed = false;
  private readonly inbox: string;
  private readonly subscription: Subscription;
  private readonly writer: ProtocolWriter | undefined;
  private readonly timer: NodeJS.Timeout;
  private idleWaiters: Array<() => void> = [];
  private readonly runId = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;

  constructor(
    private readonly nc: NatsConnection,
    private readonly hooks: PublisherHooks,
  ) {
    this.inbox = createInbox();
    this.subscription = nc.subscribe(`${this.inbox}.>`, { callback: (error, msg) => this.onAck(error, msg) });
    const protocol = (nc as unknown as { protocol?: Partial<ProtocolWriter> }).protocol;
    this.writer = typeof protocol?.sendCommand === 'function' ? (protocol as ProtocolWriter) : undefined;
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
    return this.next - this.confirmed;
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
    this.write();
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
    if (!this.append(message.subject, message.id, message.data)) return;
    if (!this.blocked && (this.pending >= HIGH_WATER || this.batchedBytes + this.text.length >= HIGH_WATER_BYTES)) {
      this.blocked = true;
      this.hooks.onBlocked(true);
    }
  }

  /**
   * Numbers a message and adds its HPUB command to the write being put together; false when it
   * can never be sent (larger than the server takes, or not plain ASCII, which wire.ts never writes).
   */
  private append(subject: string, id: string, data: string): boolean {
    const head = this.chainLast === undefined ? `NATS/1.0\r\nNats-Msg-Id: ${id}\r\n\r\n` : `NATS/1.0\r\nNats-Msg-Id: ${id}\r\nNats-Expected-Last-Msg-Id: ${this.chainLast}\r\n\r\n`;
    const total = head.length + data.length;
    const maxPayload = this.nc.info?.max_payload ?? Number.POSITIVE_INFINITY;
    if (total > maxPayload || NOT_PLAIN.test(data)) {
      const why = total > maxPayload ? `over the NATS server's max_payload (${maxPayload} bytes)` : 'not plain ASCII';
      this.hooks.warn(`an event of ${data.length} bytes (${id.slice(0, 100)}) is ${why} and was not published`);
      return false;
    }
    const number = this.next++;
    this.ensureRoom();
    this.acked[number & (this.acked.length - 1)] = 0;
    this.release(false);
    this.heldStart = `HPUB ${subject}`;
    this.heldEnd = ` ${head.length} ${total}\r\n${head}${data}\r\n`;
    this.heldNumber = number;
    this.chainLast = id;
    if (this.text.length >= WRITE_BATCH_CHARS) this.write();
    else if (!this.writeScheduled) {
      this.writeScheduled = true;
      queueMicrotask(() => this.write());
    }
    return true;
  }

  /** Grows the ack ring so that every unconfirmed message has its own slot. */
  private ensureRoom(): void {
    if (this.next - this.confirmed <= this.acked.length) return;
    const grown = new Uint8Array(this.acked.length * 2);
    for (let n = this.confirmed; n < this.next - 1; n++) grown[n & (grown.length - 1)] = this.acked[n & (this.acked.length - 1)] as number;
    this.acked = grown;
  }

  /**
   * Puts the held message's command into the write. It asks for an answer when it is the last of
   * its write, the first fresh one of a round (the answers after it count from its sequence), or
   * ASK_EVERY after the last that asked; every one asks once another publisher showed or in a resend.
   */
  private release(lastOfWrite: boolean): void {
    const number = this.heldNumber;
    if (number < 0) return;
    if (this.textStarts.length === 0) this.textFirst = number;
    this.textStarts.push(this.text.length);
    if (lastOfWrite || this.askEach || number <= this.freshFrom || number - this.lastAsked >= ASK_EVERY) {
      this.lastAsked = number;
      this.text += `${this.heldStart} ${this.inbox}.${this.round}.${number}${this.heldEnd}`;
    } else {
      this.text += `${this.heldStart}${this.heldEnd}`;
    }
    this.heldNumber = -1;
  }

  /** Turns the write put together into a batch, and hands it to the connection unless held. */
  private write(): void {
    this.writeScheduled = false;
    this.release(true);
    if (this.textStarts.length === 0) return;
    const batch: Batch = { bytes: Buffer.from(this.text, 'latin1'), first: this.textFirst, starts: Uint32Array.from(this.textStarts), sentAt: 0 };
    this.text = '';
    this.textStarts = [];
    this.batches.push(batch);
    this.batchedBytes += batch.bytes.length;
    if (this.recovering || !this.connected || this.closed) return;
    batch.sentAt = this.hooks.now();
    this.send(batch);
  }

  private send(batch: Batch): void {
    if (this.writer !== undefined) {
      this.writer.sendCommand(batch.bytes);
      return;
    }
    // Another nats.js without the protocol handler: each message through publish().
    for (let i = 0; i < batch.starts.length; i++) {
      const message = parseCommand(batch, i);
      const h = headers();
      h.set('Nats-Msg-Id', message.id);
      if (message.expected !== undefined) h.set('Nats-Expected-Last-Msg-Id', message.expected);
      this.nc.publish(message.subject, message.data, message.reply === '' ? { headers: h } : { reply: message.reply, headers: h });
    }
  }

  private onAck(error: Error | null, msg: Msg): void {
    if (error !== null || this.closed) return;
    // <inbox>.<round>.<number>
    const tail = msg.subject.slice(this.inbox.length + 1);
    const dot = tail.indexOf('.');
    if (Number(tail.slice(0, dot)) !== this.round) return; // an answer to an earlier round: the resend decides
    const number = Number(tail.slice(dot + 1));
    if (!(number >= this.confirmed && number < this.next)) return;
    const data = msg.data;
    // {"stream":...} is a PubAck (stored, or a duplicate: stored before); anything else is an error or a 503.
    if (data.length > 10 && data[2] === 0x73 /* s */) {
      this.retryDelayMs = 0;
      if (this.askEach || number < this.freshFrom) {
        // It answers for itself alone: stored now or before, in the stream either way.
        this.acked[number & (this.acked.length - 1)] = 1;
        if (number === this.confirmed) this.advance();
      } else {
        this.vouch(number, msg);
      }
      return;
    }
    if (this.recovering) return;
    const reason = failure(msg);
    const brokenChain = /wrong last msg ID/i.test(reason);
    if (brokenChain && !this.askEach) {
      this.anotherPublisher('a broken chain');
      return;
    }
    // A broken chain is another publisher's message in between: resend at once. Anything else
    // (no stream leader while a cluster elects one: 503) is waited out, 0.1 s doubling to 2 s.
    if (!brokenChain) {
      this.retryDelayMs = Math.min(MAX_RETRY_DELAY_MS, Math.max(MIN_RETRY_DELAY_MS, this.retryDelayMs * 2));
      this.hooks.warn(`NATS did not store ${idOf(this.batches, number) ?? `message ${number}`}: ${reason}; sending again from there`);
    }
    this.recover();
  }

  /**
   * A fresh message's answer: stored (not a duplicate) and the stream sequence moved by as many
   * messages as were written since the last that vouched: it vouches for all of them.
   */
  private vouch(number: number, msg: Msg): void {
    let answer: { seq?: unknown; duplicate?: unknown };
    try {
      answer = JSON.parse(msg.string()) as { seq?: unknown; duplicate?: unknown };
    } catch {
      answer = {};
    }
    if (answer.duplicate === true) {
      this.anotherPublisher('a duplicate');
      return;
    }
    if (typeof answer.seq !== 'number') {
      this.recover();
      return;
    }
    const counted = this.vouchedNumber >= this.freshFrom;
    if (counted && answer.seq - this.vouchedSeq !== number - this.vouchedNumber) {
      this.anotherPublisher('messages in between');
      return;
    }
    // The first of a round (number === freshFrom) vouches for itself; a later one without it, for itself too.
    const from = counted ? Math.max(this.vouchedNumber + 1, this.confirmed) : number;
    const mask = this.acked.length - 1;
    for (let n = from; n <= number; n++) this.acked[n & mask] = 1;
    this.vouchedNumber = number;
    this.vouchedSeq = answer.seq;
    this.advance();
  }

  /** Another publisher writes to the stream: every message asks for its answer from now on, sent again from the first unconfirmed. */
  private anotherPublisher(sign: string): void {
    this.askEach = true;
    this.hooks.info(`another publisher writes to the stream (${sign}): confirming each message from here on`);
    this.recover();
  }

  /** Moves the confirmed mark over everything acknowledged; drops confirmed batches; releases the feed and waiters. */
  private advance(): void {
    const mask = this.acked.length - 1;
    while (this.confirmed < this.next && this.acked[this.confirmed & mask] === 1) {
      this.acked[this.confirmed & mask] = 0;
      this.confirmed++;
    }
    let drop = 0;
    while (drop < this.batches.length) {
      const batch = this.batches[drop] as Batch;
      if (batch.first + batch.starts.length > this.confirmed) break;
      this.batchedBytes -= batch.bytes.length;
      drop++;
    }
    if (drop > 0) this.batches.splice(0, drop);
    if (this.blocked && this.pending <= LOW_WATER && this.batchedBytes + this.text.length < HIGH_WATER_BYTES / 2) {
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
    if (!this.connected || this.recovering || this.pending === 0) return;
    const oldest = this.batches[0];
    if (oldest === undefined || oldest.sentAt === 0 || this.hooks.now() - oldest.sentAt < ACK_TIMEOUT_MS) return;
    const late = this.pending;
    this.hooks.warn(`no answer from NATS for ${late} message${late === 1 ? '' : 's'} in ${ACK_TIMEOUT_MS / 1000} s: sending them again`);
    this.recover();
  }

  /** Holds new messages back; after the retry delay (if any), resends from the first unconfirmed one. */
  private recover(): void {
    this.recovering = true;
    if (this.retryTimer !== undefined) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.resend();
    }, this.retryDelayMs);
  }

  /** A new round: every unconfirmed message written again, the first unchained, and sent. */
  private resend(): void {
    if (this.closed) return;
    if (!this.connected) return; // reconnected() calls recover() again
    this.write();
    const batches = this.batches;
    this.batches = [];
    this.batchedBytes = 0;
    this.round++;
    this.chainLast = undefined;
    this.recovering = false;
    const mask = this.acked.length - 1;
    const last = this.next;
    this.freshFrom = last;
    this.vouchedNumber = -1;
    this.lastAsked = -1;
    this.next = this.confirmed;
    for (const batch of batches) {
      for (let i = 0; i < batch.starts.length; i++) {
        const number = batch.first + i;
        if (number < this.confirmed) continue;
        const message = parseCommand(batch, i);
        this.acked[number & mask] = 0;
        this.next = number;
        // Each was accepted once: it fits, and is plain text.
        this.append(message.subject, message.id, message.data);
      }
    }
    this.next = last;
    this.write();
  }
}

/**
 * Characters a message never holds (wire.ts writes checked tokens): anything but printable ASCII.
 * Its subject and id are made of the same tokens; the commands are written one byte a character.
 */
const NOT_PLAIN = /[^\x20-\x7e]/;

/** One message of a batch read back from its HPUB command (for a resend). */
function parseCommand(batch: Batch, index: number): { subject: string; reply: string; id: string; expected: string | undefined; data: string } {
  const start = batch.starts[index] as number;
  const end = index + 1 < batch.starts.length ? (batch.starts[index + 1] as number) : batch.bytes.length;
  const command = batch.bytes.toString('latin1', start, end);
  const lineEnd = command.indexOf('\r\n');
  // HPUB <subject> [<reply>] <header bytes> <total bytes>
  const fields = command.slice(0, lineEnd).split(' ');
  const subject = fields[1] ?? '';
  const reply = fields.length === 5 ? (fields[2] as string) : '';
  const headLength = fields[fields.length - 2] ?? '0';
  const head = command.slice(lineEnd + 2, lineEnd + 2 + Number(headLength));
  const data = command.slice(lineEnd + 2 + Number(headLength), command.length - 2);
  const headerValue = (name: string): string | undefined => {
    const at = head.indexOf(`\r\n${name}: `);
    return at < 0 ? undefined : head.slice(at + name.length + 4, head.indexOf('\r\n', at + 2));
  };
  return { subject, reply, id: headerValue('Nats-Msg-Id') ?? '', expected: headerValue('Nats-Expected-Last-Msg-Id'), data };
}

/** The id of message `number`, for a warning. */
function idOf(batches: readonly Batch[], number: number): string | undefined {
  const batch = batches.find((b) => number >= b.first && number < b.first + b.starts.length);
  return batch === undefined ? undefined : parseCommand(batch, number - batch.first).id;
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
