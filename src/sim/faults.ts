import type { SimFault } from './options.js';

/** A fault that happens on a websocket connection. */
export type StreamFault = Exclude<SimFault, { readonly kind: 'rest-fail' }>;

/** A fault that happens right after a market frame is sent (all but gap, which alters the frame). */
export type AfterFrameFault = Exclude<StreamFault, { readonly kind: 'gap' }>;

/**
 * The simulator's fault script. Each stream fault fires once per simulator, on the first
 * connection whose market-frame count reaches its frame: so a client that reconnects after a
 * `cut` meets a healthy stream, and a run's faults are easy to reason about.
 */
export class FaultPlan {
  private readonly pending: StreamFault[];
  private readonly restFailures: Array<{ remaining: number; readonly status: number }>;

  constructor(faults: readonly SimFault[]) {
    this.pending = faults.filter((fault): fault is StreamFault => fault.kind !== 'rest-fail');
    this.restFailures = faults.flatMap((fault) =>
      fault.kind === 'rest-fail' ? [{ remaining: fault.count, status: fault.status }] : [],
    );
  }

  /** For a REST request: the failure status to answer with, or undefined to answer normally. */
  takeRestFailure(): number | undefined {
    const failure = this.restFailures.find((f) => f.remaining > 0);
    if (failure === undefined) return undefined;
    failure.remaining -= 1;
    return failure.status;
  }

  /** Whether the book frame of `pair` about to go out as market frame `frame` must skip a seq. */
  claimGap(frame: number, pair: string): boolean {
    // One gap per frame: two gaps due at once skip one seq each, on successive frames.
    return this.claim((f) => f.kind === 'gap' && frame >= f.atFrame && (f.pair === undefined || f.pair === pair), 1).length > 0;
  }

  /**
   * The faults due after market frame `frame`, in the order to apply them. A duplicate waits
   * until there is a book update it can repeat.
   */
  claimAfterFrame(frame: number, canDuplicate: boolean): AfterFrameFault[] {
    const due = this.claim(
      (f) => f.kind !== 'gap' && frame >= f.atFrame && (f.kind !== 'duplicate' || canDuplicate),
    ) as AfterFrameFault[];
    // Frames first, then the faults that end or mute the stream.
    const order = ['duplicate', 'malformed', 'unknown-pair', 'cut', 'silence'];
    return due.sort((a, b) => order.indexOf(a.kind) - order.indexOf(b.kind));
  }

  private claim(matches: (fault: StreamFault) => boolean, limit = Infinity): StreamFault[] {
    const claimed: StreamFault[] = [];
    for (let i = 0; i < this.pending.length && claimed.length < limit; ) {
      const fault = this.pending[i];
      if (fault !== undefined && matches(fault)) {
        claimed.push(fault);
        this.pending.splice(i, 1);
      } else i++;
    }
    return claimed;
  }
}
