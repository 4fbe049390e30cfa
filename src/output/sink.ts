import type { Writable } from 'node:stream';

export interface SinkHooks {
  /** The stream's buffer is full: stop reading the feed. */
  readonly onBlocked: () => void;
  /** The stream drained: read the feed again. */
  readonly onDrained: () => void;
  /**
   * Output ended: `error` is undefined when the reader went away (EPIPE, as `polo-ws | head`),
   * which ends the run quietly; anything else (a full disk) is an error to report.
   */
  readonly onClosed: (error: Error | undefined) => void;
}

/** Bytes held behind a cork before they are written anyway. */
const CORK_LIMIT = 64 * 1024;

/**
 * stdout for data lines: one write per batch, backpressure reported through hooks (so the caller can
 * pause the socket, as ws's `lib/stream.js` does), and a broken pipe ends output without an error.
 */
export class LineSink {
  private blocked = false;
  private corked = false;
  private closed = false;
  lines = 0;

  constructor(
    private readonly stream: Writable,
    private readonly hooks: SinkHooks,
  ) {
    stream.on('drain', this.handleDrain);
    stream.on('error', this.handleError);
  }

  /** True once the reader has gone away; later writes are dropped. */
  get isClosed(): boolean {
    return this.closed;
  }

  /** Writes a batch of complete lines (each ending in "\n"); `count` is how many. */
  write(chunk: string, count: number): void {
    if (this.closed || chunk === '') return;
    this.lines += count;
    // Frames that arrive together leave together: one writev per tick, not one write per frame.
    if (!this.corked) {
      this.corked = true;
      this.stream.cork();
      process.nextTick(this.uncork);
    }
    const accepted = this.stream.write(chunk);
    // A long synchronous burst must not pile up behind the cork.
    if (this.corked && this.stream.writableLength >= CORK_LIMIT) this.uncork();
    if (!accepted && !this.blocked) {
      this.blocked = true;
      this.hooks.onBlocked();
    }
  }

  /** Resolves once everything written so far has been handed to the OS (or the reader is gone). */
  flush(): Promise<void> {
    if (this.closed || this.stream.writableLength === 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.stream.write('', () => resolve());
    });
  }

  /** Stops listening to the stream. */
  detach(): void {
    this.stream.off('drain', this.handleDrain);
    this.stream.off('error', this.handleError);
  }

  private readonly uncork = (): void => {
    if (!this.corked) return;
    this.corked = false;
    this.stream.uncork();
  };

  private readonly handleDrain = (): void => {
    if (!this.blocked) return;
    this.blocked = false;
    this.hooks.onDrained();
  };

  private readonly handleError = (error: Error): void => {
    if (this.closed) return;
    this.closed = true;
    // EPIPE is the reader leaving (head, a closed pager): the expected way for a stream to end.
    const code = (error as NodeJS.ErrnoException).code;
    this.hooks.onClosed(code === 'EPIPE' || code === 'ERR_STREAM_DESTROYED' ? undefined : error);
  };
}
