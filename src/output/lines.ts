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
 *
 * A frequent line is added piece by piece: `full` first, then `put` for each piece but the last,
 * then `end` with the last. The buffer takes `limit` lines in all (what --max-lines allows) and
 * no more, so a frame's lines stop at the limit even inside one event.
 */
export class LineBuffer {
  /** The pieces; only the first `size` are current. */
  private readonly parts: string[] = [];
  private size = 0;
  private lines = 0;

  constructor(private readonly limit: number = Number.POSITIVE_INFINITY) {}

  /** Lines added since the buffer was made, taken or not. */
  get added(): number {
    return this.lines;
  }

  /** Pieces waiting to be taken. */
  get pieces(): number {
    return this.size;
  }

  /** Whether the limit is reached: no line may be added. */
  get full(): boolean {
    return this.lines >= this.limit;
  }

  /** Adds one piece of a line (check `full` before its first). */
  put(piece: string): void {
    this.parts[this.size++] = piece;
  }

  /** Adds a line's last piece, which ends in "\n": the line is complete. */
  end(last: string): void {
    this.parts[this.size++] = last;
    this.lines++;
  }

  /** Adds one line, `head` then `text`, unless the buffer is full. */
  addLine(head: string, text: string): void {
    if (this.full) return;
    this.put(head);
    this.put(text);
    this.end('\n');
  }

  /** The gathered text; the buffer is empty afterwards. */
  take(): string {
    const parts = this.parts;
    parts.length = this.size;
    this.size = 0;
    return parts.join('');
  }
}
