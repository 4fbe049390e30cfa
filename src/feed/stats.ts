/** The running totals the summary line and --stats report. */
export interface Totals {
  readonly frames: number;
  readonly lines: number;
  readonly gaps: number;
  readonly resyncs: number;
  readonly reconnects: number;
  readonly badFrames: number;
  /** Pairs whose book is trusted right now. */
  readonly livePairs: number;
  /** Resyncs whose fresh snapshot did not arrive within --resync-timeout. */
  readonly resyncTimeouts: number;
}

/** "1204 frames, 3310 lines, 1 gaps, 1 resyncs, 0 reconnects, 0 bad frames, 0 resync timeouts": the exit summary's text. */
export function formatTotals(t: Totals): string {
  return `${t.frames} frames, ${t.lines} lines, ${t.gaps} gaps, ${t.resyncs} resyncs, ${t.reconnects} reconnects, ${t.badFrames} bad frames, ${t.resyncTimeouts} resync timeouts`;
}

/**
 * --stats: every `intervalMs` one stderr line with the rates since the last line and the totals,
 * so an operator can watch a long run without touching stdout.
 */
export class StatsReporter {
  private timer: NodeJS.Timeout | undefined;
  private last: { at: number; frames: number; lines: number };

  constructor(
    private readonly read: () => Totals,
    private readonly write: (line: string) => void,
    private readonly now: () => number,
    private readonly intervalMs: number,
  ) {
    this.last = { at: now(), frames: 0, lines: 0 };
  }

  start(): void {
    this.last = { at: this.now(), frames: this.read().frames, lines: this.read().lines };
    this.timer = setInterval(() => this.tick(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Writes one stats line (the timer calls this; tests may too). */
  tick(): void {
    const t = this.read();
    const at = this.now();
    const seconds = Math.max((at - this.last.at) / 1000, 0.001);
    const frameRate = Math.round((t.frames - this.last.frames) / seconds);
    const lineRate = Math.round((t.lines - this.last.lines) / seconds);
    this.last = { at, frames: t.frames, lines: t.lines };
    this.write(
      `stats: ${frameRate} frames/s, ${lineRate} lines/s, ${t.livePairs} pairs live, ${t.gaps} gaps, ${t.resyncs} resyncs, ` +
        `${t.reconnects} reconnects, ${t.badFrames} bad frames, ${t.resyncTimeouts} resync timeouts`,
    );
  }
}
