import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstreamManager, type JetStreamManager, type StreamInfo } from '@nats-io/jetstream';
import { NatsError } from '../errors.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe } from '../printable.js';
import { SUBJECT_ROOT } from './wire.js';

/** The subjects a polo-ws stream captures. */
export const STREAM_SUBJECTS = `${SUBJECT_ROOT}.>`;

/** How long de-duplication remembers a message id: redundant publishers must be this close. */
export const DUPLICATE_WINDOW_MS = 2 * 60_000;

/** The servers of --publish / subscribe as given, for messages. */
export function shownServers(servers: readonly string[]): string {
  return servers.join(',');
}

/**
 * Connects to one of `servers` (a cluster's nodes); an unreachable NATS is a NatsError naming them.
 * The connection reconnects for ever afterwards (a node dies, a leader moves): callers watch status().
 */
export async function connectNats(servers: readonly string[], name: string): Promise<NatsConnection> {
  try {
    return await connect({
      servers: [...servers],
      name,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 250,
      reconnectJitter: 100,
      // A node that stops answering (not only one whose socket closes) is left within ~20 s.
      pingInterval: 10_000,
      maxPingOut: 2,
      timeout: 5_000,
    });
  } catch (error) {
    throw new NatsError(`cannot connect to NATS at ${shownServers(servers)}: ${natsReason(error)} (is nats-server running there with -js?)`, { cause: error });
  }
}

/**
 * Follows a connection's losses and returns (nats.js reconnects by itself, to any node it knows):
 * `lost` and `back` get the server's address. Ends when the connection closes.
 */
export async function followConnection(nc: NatsConnection, on: { lost: (server: string) => void; back: (server: string) => void }): Promise<void> {
  try {
    for await (const status of nc.status()) {
      if (status.type === 'disconnect') on.lost(status.server);
      else if (status.type === 'reconnect') on.back(status.server);
    }
  } catch {
    // The connection closed under the iterator: nothing left to follow.
  }
}

/** A nats.js error in a few words. */
export function natsReason(error: unknown): string {
  const text = describe(error);
  return text.length > 200 ? `${text.slice(0, 200)}...` : text;
}

function isNotFound(error: unknown): boolean {
  return error instanceof Error && /stream not found/i.test(error.message);
}

/**
 * The JetStream API, when the server has JetStream at all (a plain nats-server has not). No account
 * check: that needs the cluster's meta leader, which may be being elected (a node just died).
 */
function manager(nc: NatsConnection, servers: readonly string[]): Promise<JetStreamManager> {
  if (nc.info?.jetstream !== true) {
    return Promise.reject(new NatsError(`NATS at ${shownServers(servers)} has no JetStream (start nats-server with -js)`));
  }
  return jetstreamManager(nc, { timeout: 5_000, checkAPI: false });
}

/** How long start-up waits out a cluster that answers nothing (electing leaders after a node died). */
export const AVAILABLE_WITHIN_MS = 30_000;


function isTransient(error: unknown): boolean {
  return error instanceof Error && /timeout|no responders|503|jetstream is not enabled|not available|leader/i.test(`${error.name} ${error.message}`);
}

export interface StreamSettings {
  readonly name: string;
  readonly replicas: number;
  readonly maxAgeMs: number;
}

/**
 * The stream, created when missing (--replicas, --max-age). One that exists is used as it is,
 * unless it captures other subjects than polo-ws's: that is someone else's stream, never changed.
 */
export async function ensureStream(nc: NatsConnection, servers: readonly string[], settings: StreamSettings): Promise<StreamInfo> {
  const jsm = await manager(nc, servers);
  let info: StreamInfo;
  try {
    info = await jsm.streams.info(settings.name);
  } catch (error) {
    if (isTransient(error)) throw error;
    if (!isNotFound(error)) throw new NatsError(`cannot read stream ${settings.name} on ${shownServers(servers)}: ${natsReason(error)}`, { cause: error });
    try {
      return await jsm.streams.add({
        name: settings.name,
        subjects: [STREAM_SUBJECTS],
        num_replicas: settings.replicas,
        max_age: settings.maxAgeMs * 1_000_000,
        duplicate_window: Math.min(DUPLICATE_WINDOW_MS, settings.maxAgeMs) * 1_000_000,
      });
    } catch (addError) {
      if (isTransient(addError)) throw addError;
      const owner = await jsm.streams.find(STREAM_SUBJECTS).catch(() => undefined);
      if (owner !== undefined && owner !== settings.name) {
        throw new NatsError(`cannot create stream ${settings.name} on ${shownServers(servers)}: stream ${owner} already captures ${STREAM_SUBJECTS} (publish into it with --stream ${owner})`, {
          cause: addError,
        });
      }
      throw new NatsError(`cannot create stream ${settings.name} (${STREAM_SUBJECTS}, ${settings.replicas} replica${settings.replicas === 1 ? '' : 's'}) on ${shownServers(servers)}: ${natsReason(addError)}`, {
        cause: addError,
      });
    }
  }
  const subjects = info.config.subjects ?? [];
  if (subjects.length !== 1 || subjects[0] !== STREAM_SUBJECTS) {
    throw new NatsError(
      `stream ${settings.name} on ${shownServers(servers)} exists with other subjects (${subjects.join(', ') || 'none'}), not ${STREAM_SUBJECTS}: ` +
        `left as it is; choose another --stream name`,
    );
  }
  return info;
}

/** The stream for reading (`subscribe`): it must exist and be polo-ws's. */
export async function findStream(nc: NatsConnection, servers: readonly string[], name: string): Promise<StreamInfo> {
  const jsm = await manager(nc, servers);
  let info: StreamInfo;
  try {
    info = await jsm.streams.info(name);
  } catch (error) {
    if (isTransient(error)) throw error;
    if (isNotFound(error)) throw new NatsError(`no stream ${name} on ${shownServers(servers)}: start a publisher first (polo-ws --publish ${shownServers(servers)}), or name it with --stream`);
    throw new NatsError(`cannot read stream ${name} on ${shownServers(servers)}: ${natsReason(error)}`, { cause: error });
  }
  const subjects = info.config.subjects ?? [];
  if (!subjects.includes(STREAM_SUBJECTS)) {
    throw new NatsError(`stream ${name} on ${shownServers(servers)} does not capture ${STREAM_SUBJECTS} (it has ${subjects.join(', ') || 'no subjects'}): not a polo-ws stream`);
  }
  return info;
}

/**
 * Runs `attempt` until it succeeds, for up to AVAILABLE_WITHIN_MS while JetStream answers with a
 * timeout, "no responders" or 503 (a cluster electing leaders), 0.5 s doubling to 4 s between;
 * anything else at once. Ends early on `signal`. What still fails is a NatsError naming the servers.
 */
export async function withNats<T>(servers: readonly string[], what: string, attempt: () => Promise<T>, hooks: { warn: (message: string) => void; signal?: AbortSignal | undefined }): Promise<T> {
  const started = Date.now();
  for (let delay = 500; ; delay = Math.min(delay * 2, 4_000)) {
    try {
      return await attempt();
    } catch (error) {
      if (error instanceof NatsError) throw error;
      if (!isTransient(error) || Date.now() - started + delay > AVAILABLE_WITHIN_MS || hooks.signal?.aborted === true) {
        throw new NatsError(`${what} on ${shownServers(servers)}: ${natsReason(error)}`, { cause: error });
      }
      hooks.warn(`${what}: ${natsReason(error)}; trying again in ${delay / 1000} s`);
      await sleep(delay, undefined, { signal: hooks.signal }).catch(() => undefined);
    }
  }
}
