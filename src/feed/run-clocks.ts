import { StatsReporter, type Totals } from './stats.js';

/**
 * The clocks that run beside a live run's connections: --duration, --publish-snapshots checkpoints
 * and --stats lines. `stop` clears every one.
 */
export class RunClocks {
  private duration: NodeJS.Timeout | undefined;
  private checkpoints: NodeJS.Timeout | undefined;
  private reporter: StatsReporter | undefined;

  /** --duration: `end` once `ms` have passed (undefined: never). */
  endAfter(ms: number | undefined, end: () => void): void {
    if (ms !== undefined) this.duration = setTimeout(end, ms);
  }

  /** --publish-snapshots: `checkpoint` every `everyMs` (Infinity: never). */
  checkpointEvery(everyMs: number, checkpoint: () => void): void {
    if (Number.isFinite(everyMs)) this.checkpoints = setInterval(checkpoint, everyMs);
  }

  /** --stats: a line of the totals `read` gives every `intervalMs` (undefined: none). */
  reportEvery(intervalMs: number | undefined, read: () => Totals, write: (line: string) => void, now: () => number): void {
    if (intervalMs === undefined) return;
    this.reporter = new StatsReporter(read, write, now, intervalMs);
    this.reporter.start();
  }

  /** The --stats reporter, if one runs (a finishing run stops it after its last diagnostics). */
  get stats(): StatsReporter | undefined {
    return this.reporter;
  }

  /** No more checkpoints: the run is finishing. */
  stopCheckpoints(): void {
    clearInterval(this.checkpoints);
  }

  stop(): void {
    this.reporter?.stop();
    clearTimeout(this.duration);
    clearInterval(this.checkpoints);
  }
}
