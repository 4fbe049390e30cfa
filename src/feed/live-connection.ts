import type { Diagnostics } from '../output/diagnostics.js';
import type { ProtocolAdapter } from '../protocol/types.js';
import { Connection, type CloseInfo } from './connection.js';
import type { Pipeline } from './pipeline.js';
import type { SessionOptions } from './session-options.js';
import type { Subscriber } from './subscriber.js';

const HANDSHAKE_TIMEOUT_MS = 10_000;

/** What every connection of a run is wired to. */
export interface LiveConnectionDeps {
  readonly adapter: ProtocolAdapter;
  readonly options: Pick<SessionOptions, 'wsUrl' | 'heartbeatTimeoutMs' | 'dataTimeoutMs' | 'recorder'>;
  /** --ws-url as messages show it: credentials as ***. */
  readonly shownUrl: string;
  readonly now: () => number;
  readonly pipeline: Pipeline;
  readonly subscriber: Subscriber;
  readonly diagnostics: Diagnostics;
}

/** What one connection tells the session. */
export interface LiveConnectionEvents {
  /** The socket is open and the subscriptions are sent. */
  readonly onOpen: () => void;
  /** A frame carried market data: the connection is healthy. */
  readonly onMarketData: () => void;
  /** It ended; its frames and then its end went down the pipeline already. */
  readonly onClose: (info: CloseInfo) => void;
}

/**
 * Opens connection `number` of the run: subscribes once open, records each frame and feeds it to
 * the pipeline, and on close records the end and feeds it in band, so the frames before it are
 * handled first and every book is untrusted after them.
 */
export function openLiveConnection(deps: LiveConnectionDeps, number: number, events: LiveConnectionEvents): Connection {
  const { pipeline, subscriber, options } = deps;
  const recorder = options.recorder;
  const timeout = options.heartbeatTimeoutMs;
  const keepalive = deps.adapter.keepalive;
  const connection: Connection = new Connection(
    options.wsUrl,
    {
      onOpen: () => {
        subscriber.open(connection, pipeline.pairs);
        events.onOpen();
      },
      onMessage: (text, bytes) => {
        recorder?.frame(connection.lastFrameTime, number, text);
        const kind = pipeline.receive(text, connection.lastFrameTime, bytes);
        if (kind === 'data') events.onMarketData();
        // A frame held for a refresh is data not read yet: the stale clock waits for the refresh, which has its own limit.
        if (kind === 'data' || kind === 'held') connection.markData();
      },
      onStale: (what) => deps.diagnostics.warn('stale', staleWarning(deps, what)),
      onClose: (info) => {
        recorder?.disconnect(deps.now(), number);
        pipeline.disconnect(deps.now());
        subscriber.closed();
        events.onClose(info);
      },
    },
    {
      handshakeTimeoutMs: HANDSHAKE_TIMEOUT_MS,
      staleAfterMs: timeout,
      dataTimeoutMs: options.dataTimeoutMs,
      // Often enough for the server's idle limit and for the stale check to hear a pong.
      keepalive: keepalive && { message: keepalive.message, everyMs: Math.min(keepalive.intervalMs, timeout / 3) },
      now: deps.now,
    },
  );
  return connection;
}

function staleWarning(deps: LiveConnectionDeps, what: 'frames' | 'data'): string {
  return what === 'frames'
    ? `no data from ${deps.shownUrl} for ${deps.options.heartbeatTimeoutMs / 1000} s: replacing the connection`
    : `no market data from ${deps.shownUrl} for ${deps.options.dataTimeoutMs / 1000} s (only acks, pongs or errors): replacing the connection`;
}
