import { backoffDelay } from '../backoff.js';
import { describe } from '../printable.js';
import type { CloseInfo } from './connection.js';

/**
 * The reconnects a run may make (--max-reconnects) and how long each waits: capped exponential
 * backoff with jitter, back to the shortest wait once market data arrives (acks, pongs and errors
 * come from storming servers too, so only market data proves a connection healthy).
 */
export class Reconnects {
  private made = 0;
  /** Reconnects since market data last arrived: the backoff's attempt. */
  private failed = 0;

  constructor(
    private readonly max: number,
    private readonly random: (() => number) | undefined,
  ) {}

  /** Reconnects made so far. */
  get count(): number {
    return this.made;
  }

  /** Market data arrived: the next reconnect waits the least again. */
  healthy(): void {
    this.failed = 0;
  }

  /** Takes the next reconnect: how long to wait before it (ms), or undefined when none is left. */
  next(): number | undefined {
    if (this.made >= this.max) return undefined;
    this.made++;
    return backoffDelay(this.failed++, this.random);
  }
}

/** How a connection to `url` (as messages show it) ended, for the reconnect warning or the final error. */
export function lost(url: string, end: CloseInfo): string {
  if (end.error !== undefined) return `connection to ${url} failed: ${describe(end.error)}`;
  const reason = end.reason === '' ? '' : `, ${end.reason}`;
  return end.normal ? `${url} closed the connection (code ${end.code}${reason})` : `connection to ${url} lost (code ${end.code}${reason})`;
}
