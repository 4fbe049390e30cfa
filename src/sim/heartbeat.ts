/**
 * Calls `beat` after `intervalMs` without a `touch()`, and again every `intervalMs` of quiet after:
 * the legacy server's `[1010]` heartbeat (touched on every frame sent) and the v3 server's idle
 * drop (touched on every frame received). One timer re-armed lazily, rather than reset on every
 * frame, keeps touching cheap.
 */
export class Heartbeat {
  private readonly intervalMs: number;
  private readonly beat: () => void;
  private lastSentAt = performance.now();
  private mutedUntil = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(intervalMs: number, beat: () => void) {
    this.intervalMs = intervalMs;
    this.beat = beat;
  }

  /** Starts watching; call `touch()` on every frame sent. */
  start(): void {
    this.arm(this.intervalMs);
  }

  /** Another frame just went out. */
  touch(): void {
    this.lastSentAt = performance.now();
  }

  /** No heartbeat for the next `ms`: the silence fault silences heartbeats too. */
  mute(ms: number): void {
    this.mutedUntil = performance.now() + ms;
  }

  /** Stops the timer for good. */
  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private arm(delayMs: number): void {
    this.timer = setTimeout(this.check, Math.max(1, delayMs));
  }

  private readonly check = (): void => {
    const now = performance.now();
    if (now < this.mutedUntil) return this.arm(this.mutedUntil - now);
    const quietFor = now - this.lastSentAt;
    if (quietFor >= this.intervalMs) {
      this.beat();
      this.lastSentAt = now;
      return this.arm(this.intervalMs);
    }
    this.arm(this.intervalMs - quietFor);
  };
}
