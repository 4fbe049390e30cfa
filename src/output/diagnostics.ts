import { printable } from '../printable.js';

/**
 * stderr diagnostics: one line each (control characters escaped, so peer text can neither forge a
 * line nor reach the terminal raw), prefixed "polo-ws:", never a stack trace. Warnings of one kind
 * are rate-limited (a burst, then a count of what was held back), so a flood of bad frames cannot
 * drown the terminal or slow the feed.
 */
export class Diagnostics {
  private readonly windows = new Map<string, { start: number; shown: number; held: number }>();

  constructor(
    private readonly write: (text: string) => void,
    private readonly now: () => number,
    private readonly burst = 5,
    private readonly windowMs = 10_000,
  ) {}

  /** An error line, never held back. */
  error(message: string): void {
    this.write(`polo-ws: error: ${printable(message)}\n`);
  }

  /** An informational line, never held back. */
  info(message: string): void {
    this.write(`polo-ws: ${printable(message)}\n`);
  }

  /** A warning of kind `kind`; at most `burst` of a kind per window are shown. */
  warn(kind: string, message: string): void {
    const now = this.now();
    let window = this.windows.get(kind);
    if (window === undefined || now - window.start >= this.windowMs) {
      if (window !== undefined) this.reportHeld(kind, window.held);
      window = { start: now, shown: 0, held: 0 };
      this.windows.set(kind, window);
    }
    if (window.shown < this.burst) {
      window.shown++;
      this.write(`polo-ws: warning: ${printable(message)}\n`);
    } else {
      window.held++;
    }
  }

  /** Reports every warning still held back (at exit). */
  flushHeld(): void {
    for (const [kind, window] of this.windows) {
      this.reportHeld(kind, window.held);
      window.held = 0;
    }
  }

  private reportHeld(kind: string, held: number): void {
    if (held > 0) this.write(`polo-ws: warning: ${held} more ${kind} warning${held === 1 ? '' : 's'} not shown\n`);
  }
}
