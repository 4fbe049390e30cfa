import type { Connection } from './connection.js';

/** A live run's phase; see SessionState for when each begins. */
export type SessionPhase =
  | { readonly name: 'starting' }
  | { readonly name: 'connecting' | 'streaming'; readonly connection: Connection }
  | { readonly name: 'disconnected' }
  | { readonly name: 'waiting' }
  | { readonly name: 'stopping'; readonly status: number; readonly closing: Connection | undefined };

/**
 * Where a live run stands. It starts (the market list, the recording), then connects; a connection
 * streams once open, and when it ends (disconnected) its frames are handled before the run waits
 * out a backoff and connects again, or ends when no reconnect is left. From any phase a stop (a
 * signal, --duration, --max-lines, the reader leaving, a recording that failed) sets the exit
 * status, the first one winning; the connection open then is closing, and stays stopping.
 */
export class SessionState {
  private phase: SessionPhase = { name: 'starting' };

  get current(): SessionPhase {
    return this.phase;
  }

  /** The exit status a stop set, or undefined while the run goes on. */
  get stopStatus(): number | undefined {
    return this.phase.name === 'stopping' ? this.phase.status : undefined;
  }

  /** The connection open now, or still closing after a stop. */
  get connection(): Connection | undefined {
    const phase = this.phase;
    if (phase.name === 'connecting' || phase.name === 'streaming') return phase.connection;
    return phase.name === 'stopping' ? phase.closing : undefined;
  }

  /** A connection is opening (the run checks for a stop just before). */
  connecting(connection: Connection): void {
    this.phase = { name: 'connecting', connection };
  }

  /** The connection's socket opened. */
  opened(): void {
    if (this.phase.name === 'connecting') this.phase = { name: 'streaming', connection: this.phase.connection };
  }

  /** The connection ended. */
  closed(): void {
    this.phase = this.phase.name === 'stopping' ? { ...this.phase, closing: undefined } : { name: 'disconnected' };
  }

  /** The backoff before the next connection began. */
  waiting(): void {
    this.phase = { name: 'waiting' };
  }

  /** Stops with `status`: false when stopped already (the first status stands). */
  stop(status: number): boolean {
    if (this.phase.name === 'stopping') return false;
    this.phase = { name: 'stopping', status, closing: this.connection };
    return true;
  }
}
