import type { Writable } from 'node:stream';
import type { Publishing } from '../bus/publishing.js';
import type { OutputOptions } from './chain.js';
import type { Recorder } from './recording.js';
import type { FeedView } from './feed-view.js';

/** What a live run is given: the command line's choices (see `polo-ws --help`). */
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
  /** A view drawn in place of the lines (`watch`), if any. */
  readonly view?: FeedView | undefined;
}

export interface SessionIO {
  readonly stdout: Writable;
  readonly stderr: (text: string) => void;
  readonly now: () => number;
  /** Aborted on SIGINT/SIGTERM, with the exit status as its reason. */
  readonly signal: AbortSignal;
  readonly random?: () => number;
}
