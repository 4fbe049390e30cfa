import type { Writable } from 'node:stream';
import type { ConsumerMessages } from '@nats-io/jetstream';
import { ExitStatus } from '../errors.js';
import { connectNats, findStream, natsReason, withNats } from '../bus/stream.js';
import { openReader, type Since } from '../bus/reader.js';
import { decodeBusMessage, parseSubject } from '../bus/wire-decode.js';
import { pairToken, SUBJECT_ROOT, type BusKind } from '../bus/wire.js';
import type { Channel, ProtocolAdapter } from '../protocol/types.js';
import { createChain, type OutputOptions } from './chain.js';
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
  let status: number | undefined;
  let messages: ConsumerMessages | undefined;
  let drained: (() => void) | undefined;
  let blocked = false;
  const stop = (code: number): void => {
    status ??= code;
    drained?.();
    void messages?.close().catch(() => undefined);
  };
  const chain = createChain(NO_PROTOCOL, options, io, {
    onBlocked: () => (blocked = true),
    onDrained: () => {
      blocked = false;
      drained?.();
    },
    onEnd: stop,
    refreshMarkets: () => Promise.resolve(false),
    resync: () => undefined,
    skipOlderSnapshots: true,
    gapAction: (pair) => `waiting for ${pair}'s next snapshot`,
  });
  const onSignal = (): void => stop(typeof io.signal.reason === 'number' ? io.signal.reason : ExitStatus.SIGINT);
  io.signal.addEventListener('abort', onSignal);
  const timer = options.durationMs === undefined ? undefined : setTimeout(() => stop(ExitStatus.OK), options.durationMs);
  const nc = await connectNats(options.servers, 'polo-ws subscribe');
  const counts = { messages: 0, bad: 0 };
  try {
    const retry = { warn: (line: string) => chain.diagnostics.warn('nats', line), signal: io.signal };
    await withNats(options.servers, `reading stream ${options.stream}`, () => findStream(nc, options.servers, options.stream), retry);
    if (status !== undefined) return await finish(status);
    const subject = subjectFilter(options.channels, options.pairs);
    messages = await withNats(options.servers, `reading stream ${options.stream}`, () => openReader(nc, options.stream, subject, options.since), retry);
    void watch(nc, (line) => chain.diagnostics.warn('nats', line), (line) => chain.diagnostics.info(line));
    if (status !== undefined) void messages.close();
    const wanted = options.pairs?.map(globPattern);
    const kinds = new Set([...options.channels].map((channel) => KIND[channel]));
    for await (const message of messages) {
      if (status !== undefined) break;
      counts.messages++;
      const where = parseSubject(message.subject);
      if (where !== undefined && !kinds.has(where.kind)) continue;
      const decoded = decodeBusMessage(message.subject, message.string());
      if (!decoded.ok) {
        counts.bad++;
        chain.diagnostics.warn('bad-message', `bad message #${counts.bad} skipped (stream seq ${message.seq}, ${excerpt(message.subject, 80)}: ${decoded.detail}): ${excerpt(message.string(), 80)}`);
        continue;
      }
      const { event } = decoded;
      // A legacy trade's copy: the book message it came in printed it already, where the publisher did.
      if (decoded.copy && kinds.has('book')) continue;
      if (wanted !== undefined && 'pair' in event && !wanted.some((pattern) => pattern.test(event.pair))) continue;
      chain.pipeline.receiveEvents([event], decoded.at);
      if (blocked && status === undefined) await new Promise<void>((resolve) => (drained = resolve));
    }
    return await finish(status ?? ExitStatus.OK);
  } finally {
    clearTimeout(timer);
    io.signal.removeEventListener('abort', onSignal);
    chain.sink.detach();
    await nc.close().catch(() => undefined);
  }

  async function finish(code: number): Promise<number> {
    await chain.sink.flush();
    chain.diagnostics.flushHeld();
    if (code === ExitStatus.SIGINT || code === ExitStatus.SIGTERM) {
      const p = chain.processor.counts;
      chain.diagnostics.info(
        `stopped by ${code === ExitStatus.SIGINT ? 'SIGINT' : 'SIGTERM'}: ${counts.messages} messages, ${chain.sink.lines} lines, ${p.gaps} gaps, ${counts.bad} bad messages`,
      );
    }
    return code;
  }
}

/** Says on stderr when the connection to NATS is lost and back (nats.js reconnects by itself). */
async function watch(nc: Awaited<ReturnType<typeof connectNats>>, warn: (line: string) => void, info: (line: string) => void): Promise<void> {
  try {
    for await (const status of nc.status()) {
      if (status.type === 'disconnect') warn(`connection to ${status.server} lost: reconnecting`);
      else if (status.type === 'reconnect') info(`nats: reconnected to ${status.server}`);
    }
  } catch (error) {
    warn(`connection status: ${natsReason(error)}`);
  }
}
