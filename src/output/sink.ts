import type { Writable } from 'node:stream';
import { LineBuffer } from './lines.js';

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
  /** The line limit (--max-lines) was reached and those lines committed: output is over. */
  readonly onLimit: () => void;
}

/**
 * Pieces gathered in one tick before they are written anyway (some 300 lines, 25 KB). Until then
 * the pieces keep their frames' texts alive through every young collection; 8K pieces cost 4% more
 * CPU on the legacy burst than 2K (1K and 512 no less than 2K, in more writes).
 */
const BATCH_PARTS = 2 * 1024;

/**
 * stdout for data lines: one write per batch, backpressure reported through hooks (so the caller can
 * pause the socket, as ws's `lib/stream.js` does), and a broken pipe ends output without an error.
 * It writes at most `maxLines` lines (--max-lines) and says so once they are committed.
 */
export class LineSink {
  /** Where formatters add lines; `commit` hands them on. */
  readonly buffer: LineBuffer;
  private blocked = false;
  private scheduled = false;
  private closed = false;
  private committed = 0;

  constructor(
    private readonly stream: Writable,
    private readonly hooks: SinkHooks,
    maxLines: number = Number.POSITIVE_INFINITY,
  ) {
    this.buffer = new LineBuffer(maxLines);
    stream.on('drain', this.handleDrain);
    stream.on('error', this.handleError);
  }

  /** Lines committed so far. */
  get lines(): number {
    return this.committed;
  }

  /**
   * Takes the lines added to `buffer` since the last commit for writing. Once the limit is
   * reached the buffer takes no line, so a commit finds nothing new: `onLimit` comes once.
   */
  commit(): void {
    const buffer = this.buffer;
    if (buffer.added === this.committed) return;
    this.committed = buffer.added;
    if (this.closed) buffer.take();
    // Frames that arrive together leave together: one write (one join, one string-to-bytes
    // conversion) per tick, not one per frame; a long synchronous burst is written as it grows.
    else if (buffer.pieces >= BATCH_PARTS) this.writePending();
    else if (!this.scheduled) {
      this.scheduled = true;
      process.nextTick(this.writePending);
    }
    if (buffer.full) this.hooks.onLimit();
  }

  /** Resolves once everything written so far has been handed to the OS (or the reader is gone). */
  flush(): Promise<void> {
    this.writePending();
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

  private readonly writePending = (): void => {
    this.scheduled = false;
    if (this.buffer.pieces === 0) return;
    const text = this.buffer.take();
    if (this.closed) return;
    if (!this.stream.write(text) && !this.blocked) {
      this.blocked = true;
      this.hooks.onBlocked();
    }
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
