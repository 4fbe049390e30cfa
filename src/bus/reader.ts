import type { NatsConnection } from '@nats-io/transport-node';
import { DeliverPolicy, jetstream, type ConsumerMessages } from '@nats-io/jetstream';

/** Where reading starts (--since): the stream's first message, only new ones, or a time. */
export type Since = { readonly from: 'all' } | { readonly from: 'new' } | { readonly from: 'time'; readonly time: Date };

/**
 * Reads `stream` in order through an ordered consumer (recreated by nats.js after a lost node or a
 * missed message, so nothing is skipped or repeated), filtered to one subject (NATS 2.9 takes one).
 * At most `batch` messages wait unread: a slow stdout holds the reading, not memory.
 */
export async function openReader(nc: NatsConnection, stream: string, subject: string, since: Since, batch = 512): Promise<ConsumerMessages> {
  const js = jetstream(nc);
  const consumer = await js.consumers.get(stream, {
    filter_subjects: subject,
    ...(since.from === 'all'
      ? { deliver_policy: DeliverPolicy.All }
      : since.from === 'new'
        ? { deliver_policy: DeliverPolicy.New }
        : { deliver_policy: DeliverPolicy.StartTime, opt_start_time: since.time.toISOString() }),
  });
  return await consumer.consume({ max_messages: batch });
}
