import { setTimeout as sleep } from 'node:timers/promises';
import type { Writable } from 'node:stream';
import { ExitStatus, WebSocketError } from '../errors.js';
import { redactUrl } from '../markets/http.js';
import type { ProtocolAdapter } from '../protocol/types.js';
import { backoffDelay } from '../backoff.js';
import { Connection, type CloseInfo } from './connection.js';
import { InputPause } from './input-pause.js';
import { createChain, type Chain, type OutputOptions } from './chain.js';
import { selectPairs } from './pairs.js';
import type { Recorder, RecorderHooks } from './recording.js';
import { MarketRefresher } from './refresh.js';
import { formatTotals, StatsReporter, type Totals } from './stats.js';
import { Subscriber } from './subscriber.js';
import { describe } from '../printable.js';
import type { Publishing } from '../bus/publishing.js';

export interface SessionOptions extends OutputOptions {
  readonly wsUrl: string;
  /** --pairs (names or globs), or undefined for every pair of the market map. */
  readonly pairs: readonly string[] | undefined;
  /** Reconnects allowed after the first connection; Infinity for no limit. */
  readonly maxReconnects: number;
  /** No frame at all for this long means the connection is dead, open socket or not. */
  readonly heartbeatTimeoutMs: number;
  /** No market data (book, trade, ticker) for this long replaces the connection, pongs or not; Infinity: never. */
  readonly dataTimeoutMs: number;
  /** A resubscribe or subscription unconfirmed for this long is sent again (3 tries). */
  readonly resyncTimeoutMs: number;
  /** The market list is fetched again this often; Infinity: never. */
  readonly marketsRefreshMs: number;
  /** REST request timeout (ms) and retries of transient failures at start-up. */
  readonly rest: { readonly timeoutMs: number; readonly retries: number };
  /** Write a --stats line to stderr this often (ms); undefined for none. */
  readonly statsIntervalMs: number | undefined;
  /** Stop with status 0 after this long (ms), if set. */
  readonly durationMs: number | undefined;
  /** Where every raw frame is recorded (--record), if anywhere. */
  readonly recorder: Recorder | undefined;
  /** Where every applied event is published (--publish), if anywhere: connected already. */
  readonly publishing?: Publishing | undefined;
  /** --publish-snapshots: every live book is published in full this often (ms); Infinity: never. */
  readonly checkpointEveryMs?: number | undefined;
}

export interface SessionIO {
  readonly stdout: Writable;
  readonly stderr: (text: string) => void;
  readonly now: () => number;
  /** Aborted on SIGINT/SIGTERM, with the exit status as its reason. */
  readonly signal: AbortSignal;
  readonly random?: () => number;
}

const HANDSHAKE_TIMEOUT_MS = 10_000;
const CLOSE_GRACE_MS = 1_000;

/**
 * One run of the stream: market map, then connections until the server is done, reconnects run
 * out, the reader leaves or a signal arrives. Resolves to the exit status; throws PoloError for
 * failures the caller reports.
 */
export async function runSession(adapter: ProtocolAdapter, options: SessionOptions, io: SessionIO): Promise<number> {
  const session = new Session(adapter, options, io);
  try {
    return await session.run();
  } finally {
    session.dispose();
  }
}

class Session {
  private readonly diagnostics: Chain['diagnostics'];
  private readonly processor: Chain['processor'];
  private readonly sink: Chain['sink'];
  private readonly pipeline: Chain['pipeline'];
  private readonly stopper = new AbortController();
  /** --ws-url as messages show it: credentials as ***. */
  private readonly shownUrl: string;
  private readonly subscriber: Subscriber;
  private readonly refresher: MarketRefresher;
  private connection: Connection | undefined;
  private stopStatus: number | undefined;
  private readonly input = new InputPause();
  private reconnects = 0;
  private attempt = 0;
  private connections = 0;
  private stats: StatsReporter | undefined;
  private durationTimer: NodeJS.Timeout | undefined;
  private checkpoints: NodeJS.Timeout | undefined;

  constructor(
    private readonly adapter: ProtocolAdapter,
    private readonly options: SessionOptions,
    private readonly io: SessionIO,
  ) {
    ({ diagnostics: this.diagnostics, processor: this.processor, sink: this.sink, pipeline: this.pipeline } = createChain(adapter, options, io, {
      onBlocked: () => this.input.set('stdout', true),
      onDrained: () => this.input.set('stdout', false),
      onHolding: (full) => this.input.set('refresh', full),
      onEnd: (status) => this.stop(status),
      refreshMarkets: () => this.refresher.refresh(),
      resync: (pair) => this.subscriber.resync(pair),
      confirmations: {
        awaiting: () => this.subscriber.awaiting(),
        confirm: (channel, pairs) => this.subscriber.confirm(channel, pairs),
        serverError: (message) => this.subscriber.serverError(message),
      },
      publisher: options.publishing?.attach({
        onBlocked: (blocked) => this.input.set('publish', blocked),
        warn: (message) => this.diagnostics.warn('nats', message),
        info: (message) => this.diagnostics.info(message),
        now: io.now,
      }),
    }));
    this.subscriber = new Subscriber({
      adapter,
      channels: options.channels,
      resyncTimeoutMs: options.resyncTimeoutMs,
      diagnostics: this.diagnostics,
      now: io.now,
      bookLive: (pair) => this.processor.book(pair) !== undefined,
      onReplace: () => this.connection?.terminate(),
      reportServerError: (message) => this.pipeline.reportServerError(message),
    });
    this.refresher = new MarketRefresher({
      adapter,
      pipeline: this.pipeline,
      wanted: options.pairs,
      recorder: options.recorder,
      diagnostics: this.diagnostics,
      now: io.now,
      timeoutMs: options.rest.timeoutMs,
      signal: this.stopper.signal,
      onChange: (change) => {
        this.subscriber.unsubscribe(change.removed);
        this.subscriber.subscribe(change.added);
      },
    });
    this.shownUrl = redactUrl(options.wsUrl);
    io.signal.addEventListener('abort', this.onSignal);
  }

  async run(): Promise<number> {
    if (this.options.durationMs !== undefined) {
      this.durationTimer = setTimeout(() => this.stop(ExitStatus.OK), this.options.durationMs);
    }
    const markets = await this.adapter
      .loadMarkets({ ...this.options.rest, signal: this.stopper.signal, onRetry: (message) => this.diagnostics.warn('rest', message) })
      .catch((error: unknown) => {
        if (this.stopStatus === undefined) throw error;
        return undefined;
      });
    if (markets === undefined) return this.finish(this.stopStatus ?? ExitStatus.INTERNAL);
    selectPairs(markets, this.options.pairs); // a --pairs name that matches nothing is a usage error
    // --pairs as given (globs too), so a replay selects what the run did, new listings included.
    // The file is created only now: a run that fails before it starts leaves an existing file untouched.
    await this.options.recorder?.start(this.adapter.api, this.options.pairs, this.options.channels, this.recording);
    this.options.recorder?.markets(this.io.now(), markets);
    this.pipeline.updateMarkets(markets, this.options.pairs);
    this.refresher.start(this.options.marketsRefreshMs);
    const checkpointEvery = this.options.checkpointEveryMs ?? Number.POSITIVE_INFINITY;
    const publisher = this.options.publishing?.publisher;
    if (publisher !== undefined && Number.isFinite(checkpointEvery)) {
      this.checkpoints = setInterval(() => publisher.checkpoint(this.processor.liveBooks(), this.io.now()), checkpointEvery);
    }
    if (this.options.statsIntervalMs !== undefined) {
      this.stats = new StatsReporter(() => this.totals(), (line) => this.diagnostics.info(line), this.io.now, this.options.statsIntervalMs);
      this.stats.start();
    }
    for (;;) {
      if (this.stopStatus !== undefined) return this.finish(this.stopStatus);
      const end = await this.connectOnce();
      await this.pipeline.idle();
      if (this.stopStatus !== undefined) return this.finish(this.stopStatus);
      if (this.reconnects >= this.options.maxReconnects) {
        const status = await this.finish(ExitStatus.OK);
        if (end.normal || status !== ExitStatus.OK) return status;
        throw new WebSocketError(`${lost(this.shownUrl, end)}; no reconnect left (--max-reconnects ${this.options.maxReconnects})`);
      }
      this.reconnects++;
      const delay = backoffDelay(this.attempt++, this.io.random);
      this.diagnostics.warn('reconnect', `${lost(this.shownUrl, end)}; reconnecting in ${(delay / 1000).toFixed(1)} s`);
      await sleep(delay, undefined, { signal: this.stopper.signal }).catch(() => undefined);
    }
  }

  dispose(): void {
    this.io.signal.removeEventListener('abort', this.onSignal);
    this.sink.detach();
    this.stats?.stop();
    this.refresher.stop();
    this.subscriber.closed();
    clearTimeout(this.durationTimer);
    clearInterval(this.checkpoints);
    this.stopper.abort();
  }

  /** Opens one connection, subscribes, and resolves with how it ended. */
  private connectOnce(): Promise<CloseInfo> {
    const number = ++this.connections;
    return new Promise((resolve) => {
      const keepalive = this.adapter.keepalive;
      const timeout = this.options.heartbeatTimeoutMs;
      const connection = new Connection(
        this.options.wsUrl,
        {
          onOpen: () => this.subscriber.open(connection, this.pipeline.pairs),
          onMessage: (text) => {
            this.options.recorder?.frame(connection.lastFrameTime, number, text);
            const kind = this.pipeline.receive(text, connection.lastFrameTime);
            // Only market data proves the connection healthy: acks, pongs and errors come from storming servers too.
            if (kind === 'data') this.attempt = 0;
            // A frame held for a refresh is data not read yet: the stale clock waits for the refresh, which has its own limit.
            if (kind === 'data' || kind === 'held') connection.markData();
          },
          onStale: (what) =>
            this.diagnostics.warn(
              'stale',
              what === 'frames'
                ? `no data from ${this.shownUrl} for ${timeout / 1000} s: replacing the connection`
                : `no market data from ${this.shownUrl} for ${this.options.dataTimeoutMs / 1000} s (only acks, pongs or errors): replacing the connection`,
            ),
          onClose: (info) => {
            // In band: the frames before the close are handled first, then every book is untrusted.
            this.options.recorder?.disconnect(this.io.now(), number);
            this.pipeline.disconnect(this.io.now());
            this.connection = undefined;
            this.input.attach(undefined);
            this.subscriber.closed();
            resolve(info);
          },
        },
        {
          handshakeTimeoutMs: HANDSHAKE_TIMEOUT_MS,
          staleAfterMs: timeout,
          dataTimeoutMs: this.options.dataTimeoutMs,
          // Often enough for the server's idle limit and for the stale check to hear a pong.
          keepalive: keepalive && { message: keepalive.message, everyMs: Math.min(keepalive.intervalMs, timeout / 3) },
          now: this.io.now,
        },
      );
      this.connection = connection;
      this.input.attach(connection);
    });
  }

  private stop(status: number): void {
    if (this.stopStatus !== undefined) return;
    this.stopStatus = status;
    this.stopper.abort();
    const connection = this.connection;
    if (connection === undefined) return;
    connection.close();
    setTimeout(() => connection.terminate(), CLOSE_GRACE_MS).unref();
  }

  /** A recording that cannot be written stops the run (exit 6); one whose disk falls behind holds the feed. */
  private readonly recording: RecorderHooks = {
    onFailed: (error) => {
      this.diagnostics.error(error.message);
      this.stop(ExitStatus.FILE);
    },
    onFull: (full) => this.input.set('record', full),
  };

  private readonly onSignal = (): void => {
    const status = this.io.signal.reason;
    this.stop(typeof status === 'number' ? status : ExitStatus.SIGINT);
  };

  private async finish(status: number): Promise<number> {
    clearInterval(this.checkpoints);
    await this.sink.flush();
    const recorded = (await this.options.recorder?.close()) ?? true;
    const unpublished = await this.options.publishing?.finish();
    if (unpublished !== undefined) this.diagnostics.error(unpublished);
    this.diagnostics.flushHeld();
    this.stats?.stop();
    if (status === ExitStatus.SIGINT || status === ExitStatus.SIGTERM) {
      this.diagnostics.info(`stopped by ${status === ExitStatus.SIGINT ? 'SIGINT' : 'SIGTERM'}: ${formatTotals(this.totals())}`);
    }
    // A recording or stream that lost data is exit 6 or 7 however the run ended (but 1, a bug or a failed stdout): its error line is out already.
    if (status === ExitStatus.INTERNAL) return status;
    if (!recorded) return ExitStatus.FILE;
    return unpublished === undefined ? status : ExitStatus.NATS;
  }

  private totals(): Totals {
    const c = this.pipeline.counts;
    const p = this.processor.counts;
    const lines = this.sink.lines;
    return {
      frames: c.frames,
      lines,
      gaps: p.gaps,
      resyncs: p.resyncs,
      reconnects: this.reconnects,
      badFrames: c.badFrames,
      livePairs: this.processor.liveCount(),
      resyncTimeouts: this.subscriber.resyncTimeouts,
    };
  }
}

function lost(url: string, end: CloseInfo): string {
  if (end.error !== undefined) return `connection to ${url} failed: ${describe(end.error)}`;
  const reason = end.reason === '' ? '' : `, ${end.reason}`;
  return end.normal ? `${url} closed the connection (code ${end.code}${reason})` : `connection to ${url} lost (code ${end.code}${reason})`;
}
