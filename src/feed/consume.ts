import type { Writable } from 'node:stream';
import type { ConsumerMessages, JsMsg } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { ExitStatus, NatsError } from '../errors.js';
import { connectNats, findStream, followConnection, natsReason, shownServers, withNats } from '../bus/stream.js';
import { openReader, type Since } from '../bus/reader.js';
import { decodeBusData, parseSubject } from '../bus/wire-decode.js';
import { pairToken, SUBJECT_ROOT, type BusKind } from '../bus/wire.js';
import type { Channel, ProtocolAdapter } from '../protocol/types.js';
import { createChain, type Chain, type OutputOptions } from './chain.js';
import { globPattern } from './pairs.js';
import { excerpt } from '../printable.js';

export interface ConsumeOptions extends OutputOptions {
  readonly servers: readonly string[];
  readonly stream: string;
  /** --pairs (names or globs), or undefined for every pair. */
  readonly pairs: readonly string[] | undefined;
  readonly since: Since;
  /** Stop with status 0 after this long (ms), if set. */
  readonly durationMs: number | undefined;
}

export interface ConsumeIO {
  readonly stdout: Writable;
  readonly stderr: (text: string) => void;
  readonly now: () => number;
  readonly signal: AbortSignal;
}

const KIND: Record<Channel, BusKind> = { book: 'book', trades: 'trade', ticker: 'ticker' };

/** Events arrive decoded (Pipeline.receiveEvents): the pipeline never asks a protocol adapter. */
const NO_PROTOCOL: ProtocolAdapter = {
  api: 'v3',
  loadMarkets: () => Promise.reject(new Error('no market list on NATS')),
  setMarkets: () => undefined,
  subscribeMessages: () => [],
  unsubscribeMessages: () => [],
  resubscribeMessages: () => [],
  confirmable: () => [],
  keepalive: undefined,
  decode: () => ({ ok: false, reason: 'bad-frame', detail: 'not a protocol frame' }),
};

/**
 * The one subject to read: NATS 2.9 filters a consumer by one subject, so a selection of one pair
 * or one channel narrows it with a wildcard, and `wanted` checks the rest of each message.
 */
export function subjectFilter(channels: ReadonlySet<Channel>, pairs: readonly string[] | undefined): string {
  const kinds = [...channels].map((channel) => KIND[channel]);
  const single = pairs?.length === 1 && !/[*?]/.test(pairs[0] as string) ? pairToken(pairs[0] as string) : '*';
  return `${SUBJECT_ROOT}.${kinds.length === 1 ? kinds[0] : '*'}.${single}`;
}

/**
 * `polo-ws subscribe`: reads a stream that `--publish` wrote and prints the lines the publishing run
 * printed, through the same sequence-checking processor (a hole in the stream resyncs the pair from
 * its next snapshot) and printer. Resolves to the exit status; throws NatsError when NATS or the
 * stream cannot be used.
 */
export async function runConsume(options: ConsumeOptions, io: ConsumeIO): Promise<number> {
  const run = new ConsumeRun(options, io);
  try {
    return await run.run();
  } finally {
    run.dispose();
  }
}

class ConsumeRun {
  private status: number | undefined;
  private messages: ConsumerMessages | undefined;
  private drained: (() => void) | undefined;
  private blocked = false;
  private readonly chain: Chain;
  private readonly timer: NodeJS.Timeout | undefined;
  private readonly counts = { messages: 0, bad: 0 };
  private readonly wanted: RegExp[] | undefined;
  private readonly kinds: ReadonlySet<BusKind>;
  private nc: NatsConnection | undefined;
  private failure: NatsError | undefined;

  constructor(
    private readonly options: ConsumeOptions,
    private readonly io: ConsumeIO,
  ) {
    this.chain = createChain(NO_PROTOCOL, options, io, {
      onBlocked: () => (this.blocked = true),
      onDrained: () => {
        this.blocked = false;
        this.drained?.();
      },
      onEnd: (status) => this.stop(status),
      refreshMarkets: () => Promise.resolve(false),
      resync: () => undefined,
      skipOlderSnapshots: true,
      gapAction: (pair) => `waiting for ${pair}'s next snapshot`,
    });
    this.wanted = options.pairs?.map(globPattern);
    this.kinds = new Set([...options.channels].map((channel) => KIND[channel]));
    io.signal.addEventListener('abort', this.onSignal);
    this.timer = options.durationMs === undefined ? undefined : setTimeout(() => this.stop(ExitStatus.OK), options.durationMs);
  }

  async run(): Promise<number> {
    const { servers, stream } = this.options;
    const nc = await connectNats(servers, 'polo-ws subscribe');
    this.nc = nc;
    const retry = { warn: (line: string) => this.chain.diagnostics.warn('nats', line), signal: this.io.signal };
    await withNats(servers, `reading stream ${stream}`, () => findStream(nc, servers, stream), retry);
    if (this.status !== undefined) return this.finish(this.status);
    const subject = subjectFilter(this.options.channels, this.options.pairs);
    const messages = await withNats(servers, `reading stream ${stream}`, () => openReader(nc, stream, subject, this.options.since), retry);
    this.messages = messages;
    void followConnection(nc, {
      lost: (server) => retry.warn(`connection to ${server} lost: reconnecting`),
      back: (server) => this.chain.diagnostics.info(`nats: reconnected to ${server}`),
    });
    void this.watchReader(messages);
    if (this.status !== undefined) void messages.close();
    // Only what reading the stream throws is a NATS error: a bug in printing stays a bug (exit 1).
    const reader = messages[Symbol.asyncIterator]();
    for (;;) {
      let next: IteratorResult<JsMsg>;
      try {
        next = await reader.next();
      } catch (error) {
        if (this.status !== undefined) break;
        throw new NatsError(`reading stream ${stream} on ${shownServers(servers)}: ${natsReason(error)}`, { cause: error });
      }
      if (next.done === true || this.status !== undefined) break;
      this.take(next.value);
      if (this.blocked && this.status === undefined) await new Promise<void>((resolve) => (this.drained = resolve));
    }
    if (this.failure !== undefined) throw this.failure;
    if (this.status === undefined) throw new NatsError(`stream ${stream} on ${shownServers(servers)} stopped delivering (deleted?)`);
    return this.finish(this.status);
  }

  /** A stream that is gone ends the run (exit 7); missed heartbeats are said, not silently waited out. */
  private async watchReader(messages: ConsumerMessages): Promise<void> {
    const { servers, stream } = this.options;
    for await (const status of messages.status()) {
      if (status.type === 'stream_not_found') {
        this.failure = new NatsError(`stream ${stream} is gone from ${shownServers(servers)} (deleted?)`);
        this.stop(ExitStatus.NATS);
      } else if (status.type === 'heartbeats_missed') {
        this.chain.diagnostics.warn('nats', `no heartbeat from stream ${stream} on ${shownServers(servers)} (${status.count} missed): waiting for it`);
      }
    }
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.io.signal.removeEventListener('abort', this.onSignal);
    this.chain.sink.detach();
    void this.messages?.close().catch(() => undefined);
    void this.nc?.close().catch(() => undefined);
  }

  /** One message: checked, filtered, printed. */
  private take(message: JsMsg): void {
    this.counts.messages++;
    const where = parseSubject(message.subject);
    if (where !== undefined && !this.kinds.has(where.kind)) return;
    const text = message.string();
    const decoded = decodeBusData(where, text);
    if (!decoded.ok) {
      this.counts.bad++;
      this.chain.diagnostics.warn('bad-message', `bad message #${this.counts.bad} skipped (stream seq ${message.seq}, ${excerpt(message.subject, 80)}: ${decoded.detail}): ${excerpt(text, 80)}`);
      return;
    }
    const { event } = decoded;
    // A legacy trade's copy: the book message it came in printed it already, where the publisher did.
    if (decoded.copy && this.kinds.has('book')) return;
    if (this.wanted !== undefined && 'pair' in event && !this.wanted.some((pattern) => pattern.test(event.pair))) return;
    this.chain.pipeline.receiveEvents([event], decoded.at);
  }

  private stop(status: number): void {
    this.status ??= status;
    this.drained?.();
    void this.messages?.close().catch(() => undefined);
  }

  private readonly onSignal = (): void => {
    const reason: unknown = this.io.signal.reason;
    this.stop(typeof reason === 'number' ? reason : ExitStatus.SIGINT);
  };

  private async finish(status: number): Promise<number> {
    await this.chain.sink.flush();
    this.chain.diagnostics.flushHeld();
    if (status === ExitStatus.SIGINT || status === ExitStatus.SIGTERM) {
      const { messages, bad } = this.counts;
      this.chain.diagnostics.info(
        `stopped by ${status === ExitStatus.SIGINT ? 'SIGINT' : 'SIGTERM'}: ${messages} messages, ${this.chain.sink.lines} lines, ` +
          `${this.chain.processor.counts.gaps} gaps, ${bad} bad messages`,
      );
    }
    return status;
  }
}

