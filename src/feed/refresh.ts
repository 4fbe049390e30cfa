import type { Diagnostics } from '../output/diagnostics.js';
import type { ProtocolAdapter } from '../protocol/types.js';
import type { ListingChange } from './listing.js';
import type { Pipeline } from './pipeline.js';
import type { Recorder } from './recording.js';

export interface RefreshOptions {
  readonly adapter: ProtocolAdapter;
  readonly pipeline: Pipeline;
  /** --pairs, or undefined for every listed pair. */
  readonly wanted: readonly string[] | undefined;
  readonly recorder: Recorder | undefined;
  readonly diagnostics: Diagnostics;
  readonly now: () => number;
  /** Each refresh request's time limit (--rest-timeout). */
  readonly timeoutMs: number;
  /** Aborts a request under way (SIGINT). */
  readonly signal: AbortSignal;
  /** What a new list changed: subscribe, unsubscribe. */
  readonly onChange: (change: ListingChange) => void;
}

/**
 * The market list over time: fetched again every --markets-refresh seconds and whenever a frame
 * names a pair the list lacks. New listings are subscribed, delisted pairs unsubscribed, state
 * changes (isFrozen) taken; each change is one line on stderr. A failed refresh is a warning
 * (rate-limited), never a stop: the stream goes on with the list it has.
 */
export class MarketRefresher {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<boolean> | undefined;

  constructor(private readonly options: RefreshOptions) {}

  /** Refreshes every `intervalMs` from now on (Infinity: never). */
  start(intervalMs: number): void {
    if (!Number.isFinite(intervalMs)) return;
    this.timer = setInterval(() => void this.refresh(), intervalMs);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Fetches the list now (or joins the fetch under way); resolves false when it failed. */
  refresh(): Promise<boolean> {
    this.running ??= this.fetch().finally(() => (this.running = undefined));
    return this.running;
  }

  private async fetch(): Promise<boolean> {
    const { adapter, pipeline, recorder, diagnostics } = this.options;
    try {
      // No retries: the next refresh is the retry, and a feed held for an unknown pair waits for this one.
      const markets = await adapter.loadMarkets({ timeoutMs: this.options.timeoutMs, retries: 0, signal: this.options.signal });
      if (this.options.signal.aborted) return false;
      recorder?.markets(this.options.now(), markets);
      const change = pipeline.updateMarkets(markets, this.options.wanted);
      this.report(change);
      this.options.onChange(change);
      return true;
    } catch (error) {
      if (this.options.signal.aborted) return false;
      recorder?.marketsFailed(this.options.now());
      diagnostics.warn('refresh', `could not refresh the market list: ${error instanceof Error ? error.message : String(error)}; streaming on with the list from before`);
      return false;
    }
  }

  private report(change: ListingChange): void {
    const { diagnostics } = this.options;
    const plural = (n: number): string => (n === 1 ? '' : 's');
    if (change.added.length > 0) diagnostics.info(`new pair${plural(change.added.length)} listed: ${change.added.join(', ')}; subscribing`);
    if (change.removed.length > 0) diagnostics.info(`pair${plural(change.removed.length)} delisted: ${change.removed.join(', ')}; unsubscribed, no more lines of ${change.removed.length === 1 ? 'it' : 'them'}`);
    for (const { pair, from, to, frozen } of change.states) diagnostics.info(`market state of ${pair}: ${from} -> ${to} (isFrozen ${frozen ? 1 : 0})`);
  }
}
