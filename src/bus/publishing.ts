import type { NatsConnection } from '@nats-io/transport-node';
import { connectNats, ensureStream, followConnection, natsReason, shownServers, withNats, type StreamSettings } from './stream.js';
import { Publisher } from './publisher.js';

/** What the session tells a publishing run: where to hold the feed and where to write warnings. */
export interface PublishingHooks {
  readonly onBlocked: (blocked: boolean) => void;
  readonly warn: (message: string) => void;
  readonly info: (message: string) => void;
  readonly now: () => number;
}

/** Longest wait at exit for JetStream to confirm what was sent. */
export const SETTLE_TIMEOUT_MS = 10_000;

/**
 * --publish: the NATS connection, the stream and the publisher, from start-up (an unreachable
 * NATS is exit 7 before the exchange is contacted) to the exit (everything confirmed, or counted).
 */
export class Publishing {
  private publisherInstance: Publisher | undefined;
  private hooks: PublishingHooks | undefined;

  private constructor(
    private readonly nc: NatsConnection,
    readonly servers: readonly string[],
    readonly stream: string,
  ) {}

  /** Connects and makes sure the stream is there (created when missing); NatsError when not possible. */
  static async open(
    servers: readonly string[],
    settings: StreamSettings,
    hooks: { warn: (message: string) => void; signal?: AbortSignal | undefined },
  ): Promise<Publishing> {
    const nc = await connectNats(servers, 'polo-ws publisher');
    try {
      await withNats(servers, `setting up stream ${settings.name}`, () => ensureStream(nc, servers, settings), hooks);
    } catch (error) {
      await nc.close().catch(() => undefined);
      throw error;
    }
    return new Publishing(nc, servers, settings.name);
  }

  /** Starts publishing into the run's diagnostics and input pause; returns the processor's tap. */
  attach(hooks: PublishingHooks): Publisher {
    this.hooks = hooks;
    this.publisherInstance = new Publisher(this.nc, { onBlocked: hooks.onBlocked, warn: (m) => hooks.warn(`nats: ${m}`), info: (m) => hooks.info(`nats: ${m}`), now: hooks.now });
    const publisher = this.publisherInstance;
    // A lost node holds the publisher until the client is on another, which then resends.
    void followConnection(this.nc, {
      lost: (server) => {
        publisher.disconnected();
        hooks.warn(`nats: connection to ${server} lost: holding ${publisher.pending} event${publisher.pending === 1 ? '' : 's'} and reconnecting`);
      },
      back: (server) => {
        hooks.info(`nats: reconnected to ${server}: resending what it has not confirmed`);
        publisher.reconnected();
      },
    });
    return publisher;
  }

  get publisher(): Publisher | undefined {
    return this.publisherInstance;
  }

  /**
   * Waits (at most SETTLE_TIMEOUT_MS) until JetStream confirmed every event, then closes the
   * connection. Resolves to an error message when some were not confirmed, else undefined.
   */
  async finish(): Promise<string | undefined> {
    const publisher = this.publisherInstance;
    const left = publisher === undefined ? 0 : await publisher.settle(SETTLE_TIMEOUT_MS);
    publisher?.close();
    await this.nc.drain().catch((error: unknown) => this.hooks?.warn(`nats: closing the connection: ${natsReason(error)}`));
    if (left === 0) return undefined;
    return `${left} event${left === 1 ? '' : 's'} not confirmed by NATS at ${shownServers(this.servers)} (stream ${this.stream}) within ${SETTLE_TIMEOUT_MS / 1000} s: the stream may lack them`;
  }

  /** Closes without waiting (a run that never started). */
  async abandon(): Promise<void> {
    this.publisherInstance?.close();
    await this.nc.close().catch(() => undefined);
  }
}
