import { MAX_PAIRS, listedPairs } from './catalog.js';
import type { EpochMode } from './legacy.js';
import { v3SymbolName } from './v3-listing.js';

/** Which exchange API the simulator speaks: the push API of 2016-2022, or the current one. */
export type SimApi = 'legacy' | 'v3';

/** A scripted misbehaviour of the simulator. Frame numbers count market frames on a connection (1-based). */
export type SimFault =
  /**
   * Skips one seq in one pair's channel (default: the pair of the first book frame at or after
   * atFrame). The pair is named as the simulator's API names it: BTC_ETH in legacy, ETH_BTC in v3.
   */
  | { readonly kind: 'gap'; readonly atFrame: number; readonly pair?: string }
  /** Re-sends the latest book update frame verbatim (same seq). */
  | { readonly kind: 'duplicate'; readonly atFrame: number }
  /** Sends a frame that is not JSON and frames that are JSON of the wrong shape. */
  | { readonly kind: 'malformed'; readonly atFrame: number }
  /** Sends a book frame and a ticker frame for a pair id absent from the REST map. */
  | { readonly kind: 'unknown-pair'; readonly atFrame: number }
  /** Destroys the TCP socket without a close frame. */
  | { readonly kind: 'cut'; readonly atFrame: number }
  /** Sends nothing at all, heartbeats included, for `ms`, leaving the socket open. */
  | { readonly kind: 'silence'; readonly atFrame: number; readonly ms: number }
  /**
   * From market frame atFrame on, the connection sends no market data at all (no book, trades or
   * ticker messages, no snapshots) but still answers commands: v3 pongs and acks, legacy
   * heartbeats go on. A socket that proves alive while its data has stopped.
   */
  | { readonly kind: 'data-stall'; readonly atFrame: number }
  /** The first `count` REST requests answer HTTP `status`. */
  | { readonly kind: 'rest-fail'; readonly count: number; readonly status: number }
  /**
   * v3: the first `count` book_lv2 subscribes (simulator-wide) that name a symbol the connection
   * subscribed before are answered `Already subscribed` only: no ack, no snapshot, the symbol stays
   * unsubscribed. A later unsubscribe and subscribe works.
   */
  | { readonly kind: 'refuse-resubscribe'; readonly count: number }
  /**
   * v3: the first `count` connections (all when undefined) ack each subscribe, then send
   * `Subscription failed` and close with 1001; no market data.
   */
  | { readonly kind: 'close-after-ack'; readonly count?: number }
  /**
   * v3: the last pair of the listing is missing from /markets, and cannot be subscribed, until
   * `ms` after the simulator started; it trades all along, so the seeded events stay the same.
   */
  | { readonly kind: 'new-listing'; readonly ms: number };

/** The longest delay a Node timer takes; a longer one fires at once. */
const MAX_TIMER_MS = 2_147_483_647;

function isTimerMs(ms: number): boolean {
  return Number.isInteger(ms) && ms >= 0 && ms <= MAX_TIMER_MS;
}

/** Faults the legacy simulator cannot play: they need the current API's commands or listing. */
const V3_ONLY_FAULTS: ReadonlySet<SimFault['kind']> = new Set(['refuse-resubscribe', 'close-after-ack', 'new-listing']);

/** How the simulator behaves. */
export interface SimOptions {
  /** The wire protocol: 'v3', the current API (the default, as the CLI's), or 'legacy'. */
  readonly api: SimApi;
  /** Same seed, same market event sequence. */
  readonly seed: number;
  /** Number of listed pairs. */
  readonly pairs: number;
  /** Levels per side in the initial books. */
  readonly depth: number;
  /** Market frames per second per connection; 0 = as fast as the socket drains. */
  readonly rate: number;
  /** After this many market frames on a connection, close it with code 1000; undefined = never. */
  readonly frames?: number;
  /** Legacy only: send `[1010]` after this much silence on a connection. */
  readonly heartbeatMs: number;
  /** v3 only: drop a connection whose client has sent nothing for this long. */
  readonly idleTimeoutMs: number;
  /** Trailing epoch-ms strings on book items. */
  readonly epochMs: EpochMode;
  readonly faults: readonly SimFault[];
  readonly host?: string;
  readonly port?: number;
}

/** Defaults: a lively 40-pair market at 50 frames per second, with no faults. */
export const defaultSimOptions: SimOptions = {
  api: 'v3',
  seed: 1,
  pairs: 40,
  depth: 200,
  rate: 50,
  heartbeatMs: 1000,
  idleTimeoutMs: 30_000,
  epochMs: 'mixed',
  faults: [],
  host: '127.0.0.1',
  port: 0,
};

const FAULT_SYNTAX =
  'expected one of gap@FRAME[:PAIR], duplicate@FRAME, malformed@FRAME, unknown-pair@FRAME, ' +
  'cut@FRAME, silence@FRAME:MS, data-stall@FRAME, rest-fail:COUNT[:STATUS], refuse-resubscribe[:COUNT], ' +
  'close-after-ack[:COUNT], new-listing:MS';

/**
 * Parses the CLI fault syntax: "gap@500", "gap@500:BTC_ETH", "duplicate@40", "malformed@100",
 * "unknown-pair@50", "cut@300", "silence@200:5000", "data-stall@100", "rest-fail:2:502" (status
 * defaults to 502), "refuse-resubscribe" or "refuse-resubscribe:3" (count defaults to 1),
 * "close-after-ack" (every connection) or "close-after-ack:2", "new-listing:3000".
 * @throws Error naming the bad spec and the accepted forms.
 */
export function parseFault(spec: string): SimFault {
  const bad = (why: string): Error => new Error(`bad fault "${spec}": ${why}; ${FAULT_SYNTAX}`);
  const counted = /^([a-z-]+)(?::(\d+))?(?::(\d+))?$/.exec(spec);
  if (counted) return countedFault(counted[1] ?? '', counted[2], counted[3], bad);
  const match = /^([a-z-]+)@(\d+)(?::(.+))?$/.exec(spec);
  if (!match) throw bad('unrecognised form');
  const [, kind = '', frame = '', arg] = match;
  const atFrame = Number(frame);
  if (atFrame < 1) throw bad('FRAME counts from 1');
  switch (kind) {
    case 'gap':
      return arg === undefined ? { kind, atFrame } : { kind, atFrame, pair: arg };
    case 'silence':
      if (arg === undefined || !/^\d+$/.test(arg)) throw bad('silence needs a duration in ms');
      return { kind, atFrame, ms: Number(arg) };
    case 'duplicate':
    case 'malformed':
    case 'unknown-pair':
    case 'cut':
    case 'data-stall':
      if (arg !== undefined) throw bad(`${kind} takes no argument`);
      return { kind, atFrame };
    default:
      throw bad(`unknown fault kind "${kind}"`);
  }
}

const FRAME_KINDS: ReadonlySet<string> = new Set(['gap', 'duplicate', 'malformed', 'unknown-pair', 'cut', 'silence', 'data-stall']);

/** The faults without a frame: KIND[:N[:M]]. */
function countedFault(kind: string, first: string | undefined, second: string | undefined, bad: (why: string) => Error): SimFault {
  const none = (what: string): void => {
    if (second !== undefined) throw bad(`${kind} takes ${what}`);
  };
  switch (kind) {
    case 'rest-fail': {
      if (first === undefined) throw bad('rest-fail needs a COUNT');
      const status = Number(second ?? 502);
      if (status < 100 || status > 599) throw bad('status must be an HTTP status from 100 to 599');
      return { kind, count: Number(first), status };
    }
    case 'refuse-resubscribe':
      none('at most a COUNT');
      return { kind, count: Number(first ?? 1) };
    case 'close-after-ack':
      none('at most a COUNT');
      return first === undefined ? { kind } : { kind, count: Number(first) };
    case 'new-listing':
      if (first === undefined) throw bad('new-listing needs a delay in ms');
      none('one delay in ms');
      return { kind, ms: Number(first) };
    default:
      throw bad(FRAME_KINDS.has(kind) ? `${kind} needs @FRAME` : `unknown fault kind "${kind}"`);
  }
}

/** Fills defaults and checks ranges. @throws RangeError naming the bad option. */
export function resolveOptions(options: Partial<SimOptions> = {}): SimOptions {
  const merged: SimOptions = { ...defaultSimOptions, ...stripUndefined(options) };
  const check = (ok: boolean, what: string): void => {
    if (!ok) throw new RangeError(`simulator option ${what}`);
  };
  check(merged.api === 'legacy' || merged.api === 'v3', `api must be legacy or v3, got ${merged.api}`);
  check(Number.isInteger(merged.seed), `seed must be an integer, got ${merged.seed}`);
  check(Number.isInteger(merged.pairs) && merged.pairs >= 1 && merged.pairs <= MAX_PAIRS, `pairs must be an integer from 1 to ${MAX_PAIRS}, got ${merged.pairs}`);
  check(Number.isInteger(merged.depth) && merged.depth >= 1, `depth must be an integer >= 1, got ${merged.depth}`);
  check(Number.isFinite(merged.rate) && merged.rate >= 0, `rate must be >= 0, got ${merged.rate}`);
  check(merged.frames === undefined || (Number.isInteger(merged.frames) && merged.frames >= 1), `frames must be an integer >= 1, got ${merged.frames}`);
  check(Number.isFinite(merged.heartbeatMs) && merged.heartbeatMs > 0, `heartbeatMs must be > 0, got ${merged.heartbeatMs}`);
  check(Number.isFinite(merged.idleTimeoutMs) && merged.idleTimeoutMs > 0, `idleTimeoutMs must be > 0, got ${merged.idleTimeoutMs}`);
  check(['always', 'never', 'mixed'].includes(merged.epochMs), `epochMs must be always, never or mixed, got ${merged.epochMs}`);
  for (const fault of merged.faults) checkFault(fault, merged, check);
  return merged;
}

function checkFault(fault: SimFault, options: SimOptions, check: (ok: boolean, what: string) => void): void {
  check(options.api === 'v3' || !V3_ONLY_FAULTS.has(fault.kind), `fault ${fault.kind} needs api v3: the legacy push API has no such behaviour`);
  const count = (n: number | undefined): boolean => n === undefined || (Number.isInteger(n) && n >= 0);
  switch (fault.kind) {
    case 'rest-fail':
      return check(count(fault.count) && fault.status >= 100 && fault.status <= 599, `fault rest-fail:${fault.count}:${fault.status} is out of range`);
    case 'refuse-resubscribe':
    case 'close-after-ack':
      return check(count(fault.count), `fault ${fault.kind} needs a COUNT >= 0, got ${fault.count}`);
    case 'new-listing':
      return check(isTimerMs(fault.ms), `fault new-listing needs ms from 0 to ${MAX_TIMER_MS}, got ${fault.ms}`);
    default:
      break;
  }
  check(Number.isInteger(fault.atFrame) && fault.atFrame >= 1, `fault ${fault.kind} needs atFrame >= 1, got ${fault.atFrame}`);
  if (fault.kind === 'gap' && fault.pair !== undefined) {
    const name = (legacy: string): string => (options.api === 'v3' ? v3SymbolName(legacy) : legacy);
    const listed = listedPairs(options.pairs).some((entry) => name(entry.name) === fault.pair);
    check(listed, `fault gap names pair ${fault.pair}, which is not among the ${options.pairs} listed ${options.api} pairs`);
  }
  if (fault.kind === 'silence') check(isTimerMs(fault.ms), `fault silence needs ms from 0 to ${MAX_TIMER_MS}, got ${fault.ms}`);
}

/** `{ port: undefined }` means "default", not "no port". */
function stripUndefined<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as Partial<T>;
}
