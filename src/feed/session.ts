import { setTimeout as sleep } from 'node:timers/promises';
import { ExitStatus, WebSocketError } from '../errors.js';
import { redactUrl } from '../markets/http.js';
import type { ProtocolAdapter } from '../protocol/types.js';
import type { CloseInfo } from './connection.js';
import { InputPause } from './input-pause.js';
import { createChain, type Chain, type ChainHooks } from './chain.js';
import { openLiveConnection, type LiveConnectionDeps } from './live-connection.js';
import { selectPairs } from './pairs.js';
import { lost, Reconnects } from './reconnects.js';
import type { RecorderHooks } from './recording.js';
import { MarketRefresher } from './refresh.js';
import { finishRun, runTotals, type RunParts } from './run-end.js';
import { RunClocks } from './run-clocks.js';
import type { SessionIO, SessionOptions } from './session-options.js';
import { SessionState } from './session-state.js';
import type { FeedStatus } from './feed-view.js';
import { Subscriber } from './subscriber.js';

export type { SessionIO, SessionOptions } from './session-options.js';

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
  private readonly state = new SessionState();
  private readonly chain: Chain;
  private readonly diagnostics: Chain['diagnostics'];
  private readonly pipeline: Chain['pipeline'];
  private readonly stopper = new AbortController();
  private readonly subscriber: Subscriber;
  private readonly refresher: MarketRefresher;
  private readonly link: LiveConnectionDeps;
  private readonly reconnects: Reconnects;
  private readonly input = new InputPause();
  private readonly clocks = new RunClocks();

  constructor(
    private readonly adapter: ProtocolAdapter,
    private readonly options: SessionOptions,
    private readonly io: SessionIO,
  ) {
    this.chain = createChain(adapter, options, io, this.chainHooks());
    ({ diagnostics: this.diagnostics, pipeline: this.pipeline } = this.chain);
    this.subscriber = new Subscriber({
      adapter,
      channels: options.channels,
      resyncTimeoutMs: options.resyncTimeoutMs,
      diagnostics: this.diagnostics,
      now: io.now,
      bookLive: (pair) => this.chain.processor.book(pair) !== undefined,
      onReplace: () => this.state.connection?.terminate(),
      reportServerError: (message) => this.pipeline.reportServerError(message),
    });
    this.refresher = this.createRefresher();
    this.reconnects = new Reconnects(options.maxReconnects, io.random);
    const { pipeline, subscriber, diagnostics } = this;
    this.link = { adapter, options, shownUrl: redactUrl(options.wsUrl), now: io.now, pipeline, subscriber, diagnostics };
    io.signal.addEventListener('abort', this.onSignal);
    options.view?.attach({ processor: this.chain.processor, status: () => this.status() });
  }

  async run(): Promise<number> {
    if (!(await this.start())) return this.finish(this.state.stopStatus ?? ExitStatus.INTERNAL);
    for (;;) {
      const stopped = this.state.stopStatus;
      if (stopped !== undefined) return this.finish(stopped);
      const end = await this.connectOnce();
      await this.pipeline.idle();
      const stoppedMeanwhile = this.state.stopStatus;
      if (stoppedMeanwhile !== undefined) return this.finish(stoppedMeanwhile);
      const delay = this.reconnects.next();
      if (delay === undefined) return this.endWithoutReconnect(end);
      this.diagnostics.warn('reconnect', `${lost(this.link.shownUrl, end)}; reconnecting in ${(delay / 1000).toFixed(1)} s`);
      this.state.waiting();
      await sleep(delay, undefined, { signal: this.stopper.signal }).catch(() => undefined);
    }
  }

  dispose(): void {
    this.io.signal.removeEventListener('abort', this.onSignal);
    this.chain.sink.detach();
    this.clocks.stop();
    this.refresher.stop();
    this.subscriber.closed();
    this.stopper.abort();
  }

  /** Loads the market list and starts what runs beside the connections; false when a stop came first. */
  private async start(): Promise<boolean> {
    const { options, io } = this;
    this.clocks.endAfter(options.durationMs, () => this.stop(ExitStatus.OK));
    const markets = await this.adapter
      .loadMarkets({ ...options.rest, signal: this.stopper.signal, onRetry: (message) => this.diagnostics.warn('rest', message) })
      .catch((error: unknown) => {
        if (this.state.stopStatus === undefined) throw error;
        return undefined;
      });
    if (markets === undefined) return false;
    selectPairs(markets, options.pairs); // a --pairs name that matches nothing is a usage error
    // --pairs as given (globs too), so a replay selects what the run did, new listings included.
    // The file is created only now: a run that fails before it starts leaves an existing file untouched.
    await options.recorder?.start(this.adapter.api, options.pairs, options.channels, this.recording);
    options.recorder?.markets(io.now(), markets);
    this.pipeline.updateMarkets(markets, options.pairs);
    this.refresher.start(options.marketsRefreshMs);
    const publisher = options.publishing?.publisher;
    if (publisher !== undefined) {
      const everyMs = options.checkpointEveryMs ?? Number.POSITIVE_INFINITY;
      this.clocks.checkpointEvery(everyMs, () => publisher.checkpoint(this.chain.processor.liveBooks(), io.now()));
    }
    this.clocks.reportEvery(options.statsIntervalMs, () => runTotals(this.parts()), (line) => this.diagnostics.info(line), io.now);
    return true;
  }

  /** Opens the next connection (connection n follows n - 1 reconnects) and resolves with how it ended. */
  private connectOnce(): Promise<CloseInfo> {
    return new Promise((resolve) => {
      const connection = openLiveConnection(this.link, this.reconnects.count + 1, {
        onOpen: () => this.state.opened(),
        onMarketData: () => this.reconnects.healthy(),
        onClose: (info) => {
          this.state.closed();
          this.input.attach(undefined);
          resolve(info);
        },
      });
      this.state.connecting(connection);
      this.input.attach(connection);
    });
  }

  /** The last connection allowed ended: after a normal close the run ends with status 0, after any other end with an error. */
  private async endWithoutReconnect(end: CloseInfo): Promise<number> {
    const status = await this.finish(ExitStatus.OK);
    if (end.normal || status !== ExitStatus.OK) return status;
    throw new WebSocketError(`${lost(this.link.shownUrl, end)}; no reconnect left (--max-reconnects ${this.options.maxReconnects})`);
  }

  /**
   * Stops the run with `status` unless it is stopping already: waits and REST requests are
   * aborted, and the open connection is closed (dropped if that takes over CLOSE_GRACE_MS).
   */
  private stop(status: number): void {
    if (!this.state.stop(status)) return;
    this.stopper.abort();
    const closing = this.state.connection;
    if (closing === undefined) return;
    closing.close();
    setTimeout(() => closing.terminate(), CLOSE_GRACE_MS).unref();
  }

  private chainHooks(): ChainHooks {
    return {
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
      publisher: this.options.publishing?.attach({
        onBlocked: (blocked) => this.input.set('publish', blocked),
        warn: (message) => this.diagnostics.warn('nats', message),
        info: (message) => this.diagnostics.info(message),
        now: this.io.now,
      }),
      printer: this.options.view?.printer,
    };
  }

  /** What a view (`watch`) shows of the run: its phase, reconnects, frames and their recency. */
  private status(): FeedStatus {
    const phase = this.state.current.name;
    const connection = phase === 'streaming' ? 'connected' : phase === 'waiting' || phase === 'disconnected' ? 'reconnecting' : phase === 'stopping' ? 'stopping' : 'connecting';
    return { connection, reconnects: this.reconnects.count, frames: this.pipeline.counts.frames, lastFrameAt: this.state.connection?.lastFrameTime };
  }

  /** Fetches the market list again now and then; a new listing is subscribed, a delisted pair unsubscribed. */
  private createRefresher(): MarketRefresher {
    return new MarketRefresher({
      adapter: this.adapter,
      pipeline: this.pipeline,
      wanted: this.options.pairs,
      recorder: this.options.recorder,
      diagnostics: this.diagnostics,
      now: this.io.now,
      timeoutMs: this.options.rest.timeoutMs,
      signal: this.stopper.signal,
      onChange: (change) => {
        this.subscriber.unsubscribe(change.removed);
        this.subscriber.subscribe(change.added);
      },
    });
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

  private finish(status: number): Promise<number> {
    this.clocks.stopCheckpoints();
    return finishRun(this.parts(), status);
  }

  /** The run as it stands, to finish and count. */
  private parts(): RunParts {
    const { options } = this;
    return {
      chain: this.chain,
      subscriber: this.subscriber,
      recorder: options.recorder,
      publishing: options.publishing,
      stats: this.clocks.stats,
      reconnects: this.reconnects.count,
    };
  }
}
