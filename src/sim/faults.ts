import type { SimFault } from './options.js';

/** A fault due at a market frame of a connection. */
export type FrameFault = Extract<SimFault, { readonly atFrame: number }>;

/** A fault that happens right after a market frame is sent (all but gap, which alters the frame). */
export type AfterFrameFault = Exclude<FrameFault, { readonly kind: 'gap' }>;

/** The order in which faults due after the same frame apply: frames first, then what mutes or ends the stream. */
const AFTER_FRAME_ORDER: readonly AfterFrameFault['kind'][] = ['duplicate', 'malformed', 'unknown-pair', 'data-stall', 'cut', 'silence'];

/**
 * The simulator's fault script. Each frame fault fires once per simulator, on the first
 * connection whose market-frame count reaches its frame: so a client that reconnects after a
 * `cut` meets a healthy stream, and a run's faults are easy to reason about. Counted faults
 * (rest-fail, refuse-resubscribe) are spent simulator-wide too.
 */
export class FaultPlan {
  private readonly pending: FrameFault[];
  private readonly restFailures: Array<{ remaining: number; readonly status: number }>;
  private refusals: number;
  /** Connections up to this id close after their acks (close-after-ack); 0 = none. */
  private readonly failingConnections: number;

  constructor(faults: readonly SimFault[]) {
    this.pending = faults.filter((fault): fault is FrameFault => 'atFrame' in fault);
    this.restFailures = faults.flatMap((fault) =>
      fault.kind === 'rest-fail' ? [{ remaining: fault.count, status: fault.status }] : [],
    );
    this.refusals = faults.reduce((sum, fault) => sum + (fault.kind === 'refuse-resubscribe' ? fault.count : 0), 0);
    this.failingConnections = faults.reduce(
      (most, fault) => (fault.kind === 'close-after-ack' ? Math.max(most, fault.count ?? Infinity) : most),
      0,
    );
  }

  /** For a REST request: the failure status to answer with, or undefined to answer normally. */
  takeRestFailure(): number | undefined {
    const failure = this.restFailures.find((f) => f.remaining > 0);
    if (failure === undefined) return undefined;
    failure.remaining -= 1;
    return failure.status;
  }

  /** For a resubscribe of book_lv2: true if it must be refused (refuse-resubscribe), spending one refusal. */
  takeResubscribeRefusal(): boolean {
    if (this.refusals <= 0) return false;
    this.refusals -= 1;
    return true;
  }

  /** Whether connection `id` (1-based, in accept order) fails its subscriptions (close-after-ack). */
  failsAfterAck(id: number): boolean {
    return id <= this.failingConnections;
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
    return due.sort((a, b) => AFTER_FRAME_ORDER.indexOf(a.kind) - AFTER_FRAME_ORDER.indexOf(b.kind));
  }

  private claim(matches: (fault: FrameFault) => boolean, limit = Infinity): FrameFault[] {
    const claimed: FrameFault[] = [];
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
