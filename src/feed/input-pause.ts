/** Why reading from the exchange is paused: each holds the feed back until it is over. */
export type PauseReason = 'stdout' | 'refresh' | 'record' | 'publish';

/** What can be paused: the current connection. */
export interface Pausable {
  pause(): void;
  resume(): void;
}

/**
 * Backpressure from every consumer in one place: stdout is full, frames held for a market refresh
 * reached their bound, the recording's disk fell behind, or NATS (--publish) did. Input is read only while none holds,
 * and a connection opened meanwhile starts paused.
 */
export class InputPause {
  private readonly reasons = new Set<PauseReason>();
  private target: Pausable | undefined;

  /** The connection to pause and resume from now on (undefined between connections). */
  attach(target: Pausable | undefined): void {
    this.target = target;
    if (target !== undefined && this.reasons.size > 0) target.pause();
  }

  set(reason: PauseReason, paused: boolean): void {
    const was = this.reasons.size > 0;
    if (paused) this.reasons.add(reason);
    else this.reasons.delete(reason);
    const now = this.reasons.size > 0;
    if (now && !was) this.target?.pause();
    else if (!now && was) this.target?.resume();
  }
}
