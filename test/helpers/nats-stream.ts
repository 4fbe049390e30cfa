// Reading and writing a JetStream stream directly with nats.js, for tests that check what
// `polo-ws --publish` stored, or put into a stream what no publisher would (a hostile bus).
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager, type StreamConfig, type StreamInfo } from '@nats-io/jetstream';

/** One message as the stream holds it. */
export interface StoredMessage {
  readonly seq: number;
  readonly subject: string;
  readonly data: string;
  /** Its Nats-Msg-Id header (the publisher's de-duplication id), if any. */
  readonly msgId: string | undefined;
}

/** A message to publish as is. */
export interface RawMessage {
  readonly subject: string;
  readonly data: string | Uint8Array;
  readonly msgId?: string;
}

/** Connects to `servers` (comma-separated URLs), runs `fn`, closes. */
export async function withNats<T>(servers: string, fn: (nc: NatsConnection) => Promise<T>): Promise<T> {
  const nc = await connect({ servers: servers.split(','), timeout: 5_000 });
  try {
    return await fn(nc);
  } finally {
    await nc.close().catch(() => undefined);
  }
}

/** Creates a stream (a file-store, one replica unless `config` says otherwise). */
export function addStream(servers: string, name: string, subjects: string[], config: Partial<StreamConfig> = {}): Promise<StreamInfo> {
  return withNats(servers, async (nc) => (await jetstreamManager(nc)).streams.add({ ...config, name, subjects }));
}

export function streamInfo(servers: string, name: string): Promise<StreamInfo> {
  return withNats(servers, async (nc) => (await jetstreamManager(nc)).streams.info(name));
}

/** The names of every stream on the server. */
export function streamNames(servers: string): Promise<string[]> {
  return withNats(servers, async (nc) => {
    const names: string[] = [];
    for await (const name of (await jetstreamManager(nc)).streams.names()) names.push(name);
    return names.sort();
  });
}

/** How many consumers the stream has now. */
export function consumerCount(servers: string, stream: string): Promise<number> {
  return withNats(servers, async (nc) => (await jetstreamManager(nc)).streams.info(stream).then((info) => info.state.consumer_count));
}

/** Polls until the stream has at least `count` consumers (a subscriber has started reading). */
export async function waitForConsumers(servers: string, stream: string, count = 1, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if ((await consumerCount(servers, stream)) >= count) return;
    if (Date.now() > deadline) throw new Error(`stream ${stream}: fewer than ${count} consumers after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Publishes each message through JetStream in order, awaiting its ack; resolves to their stream seqs. */
export function publishRaw(servers: string, messages: readonly RawMessage[]): Promise<number[]> {
  return withNats(servers, async (nc) => {
    const js = jetstream(nc);
    const seqs: number[] = [];
    for (const message of messages) {
      const ack = await js.publish(message.subject, message.data, message.msgId === undefined ? {} : { msgID: message.msgId });
      seqs.push(ack.seq);
    }
    return seqs;
  });
}

/** Every message the stream holds, in stream order, read with an ordered consumer. */
export function readStream(servers: string, stream: string): Promise<StoredMessage[]> {
  return withNats(servers, async (nc) => {
    const info = await (await jetstreamManager(nc)).streams.info(stream);
    if (info.state.messages === 0) return [];
    const consumer = await jetstream(nc).consumers.get(stream);
    const iterator = await consumer.consume({ max_messages: 1_000 });
    const out: StoredMessage[] = [];
    const timer = setTimeout(() => void iterator.close(), 10_000);
    try {
      for await (const m of iterator) {
        out.push({ seq: m.seq, subject: m.subject, data: m.string(), msgId: m.headers?.get('Nats-Msg-Id') || undefined });
        if (m.info.pending === 0) break;
      }
    } finally {
      clearTimeout(timer);
      await iterator.close().catch(() => undefined);
    }
    if (out.length !== info.state.messages) throw new Error(`stream ${stream}: read ${out.length} of ${info.state.messages} messages`);
    return out;
  });
}
