import type { Printer } from '../book/processor.js';

/** A printer that writes lines into a LineBuffer: told each frame's receive time before its calls. */
export interface LinePrinter extends Printer {
  begin(at: number): void;
}

/**
 * Lines gathered for one write to stdout, as their pieces of text in order (each line's last piece
 * ends in "\n"), joined once when written. A line built by concatenation left some ten
 * intermediate strings behind; pieces stored here are the feed's own strings and constants, and the
 * array is reused from write to write (written by index: `push` after `length = 0` reallocated its
 * storage every time), so printing a line allocates nothing of its own.
 */
export class LineBuffer {
  /** The pieces; only the first `length` are current. */
  readonly parts: string[] = [];
  length = 0;
  /** Lines added since the sink last committed them. */
  count = 0;
  /** Printers add no line once `count` reaches this (what --max-lines leaves). */
  limit = Number.POSITIVE_INFINITY;

  /** Whether another line may be added. */
  get full(): boolean {
    return this.count >= this.limit;
  }

  /** Adds one line, `head` then `text`, unless the buffer is full. */
  addLine(head: string, text: string): void {
    if (this.full) return;
    const parts = this.parts;
    let n = this.length;
    parts[n++] = head;
    parts[n++] = text;
    parts[n++] = '\n';
    this.length = n;
    this.count++;
  }

  /** The gathered text; the buffer is empty afterwards. */
  take(): string {
    const parts = this.parts;
    parts.length = this.length;
    this.length = 0;
    return parts.join('');
  }
}
