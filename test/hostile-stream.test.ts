import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it, type TestContext } from 'vitest';
import { BookProcessor, type Printer } from '../src/book/processor.js';
import type { Level, Side } from '../src/book/book.js';
import type { BookItem, FeedEvent } from '../src/protocol/types.js';
import { runCli, type CliResult } from './helpers/run-cli.js';
import { runInProcess } from './helpers/run-in-process.js';
import { PrintCollector, type PrintEvent } from './helpers/prints.js';
import { FORGED_LINE, FORGED_MARK } from './helpers/hostile-frames.js';
import { startHostileServer, v3Markets, type HostileConnection, type HostileServer, type HostileServerOptions, type RestAnswer } from './helpers/hostile-server.js';
import { offGrammarLines, quote, rawControls, stackLines } from './helpers/hostile-tokens.js';
import { codedLevel, codedSnapshotLevel } from '../src/protocol/decimal-code.js';

/**
 * Issue 11, downstream of the decoders: the book stays equal to a plain sorted model whatever the
 * spelling of prices and sizes, --top reports what that model says, a side whose order is kept
 * takes 100k new best levels in seconds; and the CLI against hostile servers never prints a
 * forged line or a raw control byte, never shows a stack, exits as documented and stays small (the
 * built CLI, a process, where its escaping of stderr, its memory or a signal is the point; in this
 * process through run() otherwise).
 */

const SEED = 20261125;

// ---------------------------------------------------------------------------------------------
// The book against a model
// ---------------------------------------------------------------------------------------------

/** A decimal as an exact scaled integer: value = n / 10^scale. */
function exact(text: string): { n: bigint; scale: number } {
  const negative = text.startsWith('-');
  const body = negative ? text.slice(1) : text;
  const [whole = '0', fraction = ''] = body.split('.');
  const n = BigInt(whole + fraction) * (negative ? -1n : 1n);
  return { n, scale: fraction.length };
}

/** Compares two (possibly signed) decimals by value. */
function cmp(a: string, b: string): number {
  const x = exact(a);
  const y = exact(b);
  const scale = Math.max(x.scale, y.scale);
  const l = x.n * 10n ** BigInt(scale - x.scale);
  const r = y.n * 10n ** BigInt(scale - y.scale);
  return l < r ? -1 : l > r ? 1 : 0;
}

/** One spelling per value: the model's key. */
function canonical(text: string): string {
  let [whole = '0', fraction = ''] = text.split('.');
  whole = whole.replace(/^0+(?=\d)/, '');
  fraction = fraction.replace(/0+$/, '');
  return fraction === '' ? whole : `${whole}.${fraction}`;
}

const isZero = (size: string): boolean => /^[0.]+$/.test(size);

/** The model: per pair, whether its book is trusted, and per side canonical price -> level as last sent. */
interface ModelPair {
  live: boolean;
  last: number;
  asks: Map<string, Level>;
  bids: Map<string, Level>;
  /** The best levels last reported by TOP (undefined: none since the last snapshot after a gap). */
  reported: { bid: Level | undefined; ask: Level | undefined } | undefined;
}

function sortedSide(model: ModelPair, side: Side): Level[] {
  const levels = [...(side === 'ask' ? model.asks : model.bids).values()];
  return levels.sort((a, b) => (side === 'ask' ? cmp(a.price, b.price) : cmp(b.price, a.price)));
}

function applyLevel(model: ModelPair, side: Side, price: string, size: string): void {
  const map = side === 'ask' ? model.asks : model.bids;
  if (isZero(size)) map.delete(canonical(price));
  else map.set(canonical(price), { price, size });
}

interface LevelSpec {
  readonly side: Side;
  readonly price: string;
  readonly size: string;
}

type Step =
  | { readonly kind: 'snapshot'; readonly pair: number; readonly asks: readonly Level[]; readonly bids: readonly Level[] }
  | { readonly kind: 'update' | 'duplicate' | 'gap'; readonly pair: number; readonly levels: readonly LevelSpec[] };

/** Price values: eighths (0.125 .. 3), two that one double cannot tell apart, and a 31-digit one. */
const VALUES: readonly string[] = [
  ...Array.from({ length: 24 }, (_, i) => canonical(((i + 1) / 8).toFixed(3))),
  '0.30000000000000001',
  '0.30000000000000002',
  '1234567890123456789012345678901.5',
];

/** A value in some spelling an exchange (or a careless one) might use: "0.1", "0.10000000", "1.0", "01.5". */
const priceText: fc.Arbitrary<string> = fc
  .tuple(fc.constantFrom(...VALUES), fc.integer({ min: 0, max: 7 }), fc.integer({ min: 0, max: 9 }))
  .map(([value, zeros, lead]) => {
    let text = value;
    if (zeros > 0) text = value.includes('.') ? value + '0'.repeat(zeros) : `${value}.${'0'.repeat(zeros)}`;
    return lead === 0 ? `0${text}` : text;
  });

const sizeText: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.constantFrom('1', '2.5', '2.50', '2.50000000', '0.001', '3.00000000', '10', '0.1'), weight: 3 },
  { arbitrary: fc.constantFrom('0', '0.00', '0.00000000', '00.0'), weight: 1 },
);

/**
 * Spellings an exchange writes (no redundant leading zero, at most 14 digits: every price has a
 * decimal code, so the book's sides stay coded), now and then a price without a code.
 */
const codedPriceText: fc.Arbitrary<string> = fc.oneof(
  {
    arbitrary: fc
      .tuple(fc.constantFrom(...VALUES.slice(0, 24)), fc.integer({ min: 0, max: 7 }))
      .map(([value, zeros]) => (zeros === 0 ? value : value.includes('.') ? value + '0'.repeat(zeros) : `${value}.${'0'.repeat(zeros)}`)),
    weight: 30,
  },
  { arbitrary: fc.constantFrom(...VALUES.slice(24), '01.5'), weight: 1 },
);

function stepOf(price: fc.Arbitrary<string>): fc.Arbitrary<Step> {
  const levelSpec: fc.Arbitrary<LevelSpec> = fc.record({ side: fc.constantFrom<Side>('ask', 'bid'), price, size: sizeText });
  const snapshotSide: fc.Arbitrary<Level[]> = fc.uniqueArray(fc.record({ price, size: sizeText }), { maxLength: 12, selector: (l) => canonical(l.price) });
  return fc.oneof(
    { arbitrary: fc.record({ kind: fc.constant('snapshot' as const), pair: fc.integer({ min: 0, max: 1 }), asks: snapshotSide, bids: snapshotSide }), weight: 2 },
    { arbitrary: fc.record({ kind: fc.constant('update' as const), pair: fc.integer({ min: 0, max: 1 }), levels: fc.array(levelSpec, { minLength: 1, maxLength: 6 }) }), weight: 10 },
    { arbitrary: fc.record({ kind: fc.constantFrom('duplicate' as const, 'gap' as const), pair: fc.integer({ min: 0, max: 1 }), levels: fc.array(levelSpec, { maxLength: 3 }) }), weight: 1 },
  );
}

const step = stepOf(priceText);
const codedStep = stepOf(codedPriceText);

/** Pair 0 follows legacy sequencing (seq + 1), pair 1 v3's (lastId names the previous id). */
const PAIRS = ['USDT_BTC', 'ETH_USDT'] as const;

/**
 * The event a step sends, given the model's last sequence number of its pair; `coded`: its levels
 * carry their decimal codes, as the decoders give them, else the book reads the texts.
 */
function eventOf(s: Step, last: number, coded: boolean): Extract<FeedEvent, { kind: 'book' }> {
  const pair = PAIRS[s.pair] as string;
  const v3 = s.pair === 1;
  if (s.kind === 'snapshot') {
    const asks = coded ? s.asks.map((l) => codedSnapshotLevel(l.price, l.size)) : s.asks;
    const bids = coded ? s.bids.map((l) => codedSnapshotLevel(l.price, l.size)) : s.bids;
    return { kind: 'book', pair, seq: last + 3, prevSeq: undefined, items: [{ kind: 'snapshot', asks, bids }] };
  }
  const items: BookItem[] = s.levels.map((l) => (coded ? codedLevel(l.side, l.price, l.size) : { kind: 'level', side: l.side, price: l.price, size: l.size }));
  if (s.kind === 'update') return { kind: 'book', pair, seq: last + 1, prevSeq: v3 ? last : undefined, items };
  if (s.kind === 'duplicate') return { kind: 'book', pair, seq: last, prevSeq: v3 ? last - 1 : undefined, items };
  return { kind: 'book', pair, seq: last + 2, prevSeq: v3 ? last + 1 : undefined, items };
}

const sameValue = (a: Level | undefined, b: Level | undefined): boolean =>
  a === undefined || b === undefined ? a === b : cmp(a.price, b.price) === 0 && cmp(a.size, b.size) === 0;

/** A level as the book gave it against the model's: same value, the size as last sent, a price as sent. */
function levelProblem(got: Level | undefined, want: Level | undefined, sent: ReadonlySet<string>): string | undefined {
  if (got === undefined || want === undefined) return got === want ? undefined : `${quote(got)} != model ${quote(want)}`;
  if (cmp(got.price, want.price) !== 0 || got.size !== want.size) return `${quote(got)} != model ${quote(want)}`;
  if (!sent.has(got.price)) return `price ${quote(got.price)} was never sent (re-rendered?)`;
  return undefined;
}

function levelsProblem(got: readonly Level[], want: readonly Level[], sent: ReadonlySet<string>): string | undefined {
  if (got.length !== want.length) return `${got.length} levels ${quote(got)}, model has ${want.length}: ${quote(want)}`;
  for (let i = 0; i < got.length; i++) {
    const p = levelProblem(got[i], want[i], sent);
    if (p !== undefined) return `level ${i}: ${p}`;
  }
  return undefined;
}

/** Runs steps through a processor and the model; returns the first disagreement. */
function disagreement(steps: readonly Step[], depth: number, top: boolean, coded = false): string | undefined {
  const processor = new BookProcessor({ depth, top });
  const models: ModelPair[] = PAIRS.map(() => ({ live: false, last: 1000, asks: new Map(), bids: new Map(), reported: undefined }));
  const sent = new Set<string>();
  for (const [index, s] of steps.entries()) {
    const pair = PAIRS[s.pair] as string;
    const model = models[s.pair] as ModelPair;
    const event = eventOf(s, model.last, coded);
    if (s.kind === 'snapshot') for (const l of [...s.asks, ...s.bids]) sent.add(l.price);
    else for (const l of s.levels) sent.add(l.price);
    const out = new PrintCollector();
    const gap = processor.apply(event, out);
    const where = `step ${index} (${s.kind} ${pair})`;
    const expected: PrintEvent[] = [];
    let wantGap = false;
    if (s.kind === 'snapshot') {
      model.live = true;
      model.last = event.seq;
      model.asks.clear();
      model.bids.clear();
      for (const l of s.asks) applyLevel(model, 'ask', l.price, l.size);
      for (const l of s.bids) applyLevel(model, 'bid', l.price, l.size);
      expected.push({ kind: 'book', pair, asks: sortedSide(model, 'ask').slice(0, depth), bids: sortedSide(model, 'bid').slice(0, depth) });
    } else if (model.live && s.kind === 'update') {
      model.last = event.seq;
      for (const l of s.levels) {
        applyLevel(model, l.side, l.price, l.size);
        expected.push(isZero(l.size) ? { kind: 'remove', pair, side: l.side, price: l.price } : { kind: 'change', pair, side: l.side, price: l.price, size: l.size });
      }
    } else if (model.live && s.kind === 'gap') {
      wantGap = true;
      model.live = false;
      model.reported = undefined;
      model.last = event.seq;
    } else if (s.kind === 'gap' || s.kind === 'update') {
      // Not live: dropped, nothing printed. Keep our numbering moving as a server's would.
      model.last = event.seq;
    }
    if (top && model.live && (s.kind === 'snapshot' || s.kind === 'update')) {
      const bid = sortedSide(model, 'bid')[0];
      const ask = sortedSide(model, 'ask')[0];
      const r = model.reported;
      if (r === undefined || !sameValue(r.bid, bid) || !sameValue(r.ask, ask)) {
        model.reported = { bid, ask };
        const spread = bid !== undefined && ask !== undefined ? `${ask.price}-${bid.price}` : undefined;
        expected.push({ kind: 'top', pair, bid, ask, spread });
      }
    }
    if ((gap !== undefined) !== wantGap) return `${where}: gap ${quote(gap)}, model expects ${wantGap ? 'a gap' : 'none'}`;
    const printed = out.prints;
    if (printed.length !== expected.length) return `${where}: printed ${quote(printed.map((p) => p.kind))}, model expects ${quote(expected.map((p) => p.kind))}: ${quote(printed)}`;
    for (let i = 0; i < printed.length; i++) {
      const got = printed[i] as PrintEvent;
      const want = expected[i] as PrintEvent;
      const problem = printProblem(got, want, sent);
      if (problem !== undefined) return `${where}, print ${i}: ${problem}`;
    }
    // The book itself, both pairs: trusted exactly when the model is live, and equal to it.
    for (const [p, m] of models.entries()) {
      const name = PAIRS[p] as string;
      const book = processor.book(name);
      if ((book !== undefined) !== m.live) return `${where}: book(${name}) is ${book === undefined ? 'untrusted' : 'trusted'}, model ${m.live ? 'live' : 'not live'}`;
      if (book === undefined) continue;
      for (const side of ['ask', 'bid'] as const) {
        for (const n of [1, 3, 100]) {
          const problem = levelsProblem(book.top(side, n), sortedSide(m, side).slice(0, n), sent);
          if (problem !== undefined) return `${where}: book(${name}).top(${side}, ${n}): ${problem}`;
        }
      }
    }
  }
  return undefined;
}

function printProblem(got: PrintEvent, want: PrintEvent, sent: ReadonlySet<string>): string | undefined {
  if (got.kind !== want.kind) return `${quote(got)} != model ${quote(want)}`;
  if (got.kind === 'book' && want.kind === 'book') {
    return levelsProblem(got.asks, want.asks, sent) ?? levelsProblem(got.bids, want.bids, sent);
  }
  if (got.kind === 'top' && want.kind === 'top') {
    const problem = levelProblem(got.bid, want.bid, sent) ?? levelProblem(got.ask, want.ask, sent);
    if (problem !== undefined) return `TOP ${problem}`;
    if (want.spread === undefined) return got.spread === undefined ? undefined : `spread ${quote(got.spread)} without both sides`;
    if (got.spread === undefined || !/^-?\d+(?:\.\d+)?$/.test(got.spread)) return `spread ${quote(got.spread)} is not a plain decimal`;
    const [askPrice = '', bidPrice = ''] = want.spread.split('-');
    const a = exact(askPrice);
    const b = exact(bidPrice);
    const scale = Math.max(a.scale, b.scale);
    const diff = a.n * 10n ** BigInt(scale - a.scale) - b.n * 10n ** BigInt(scale - b.scale);
    const s = exact(got.spread);
    const ok = s.n * 10n ** BigInt(Math.max(scale - s.scale, 0)) === diff * 10n ** BigInt(Math.max(s.scale - scale, 0));
    return ok ? undefined : `spread ${got.spread} != ${want.spread}`;
  }
  return JSON.stringify(got) === JSON.stringify(want) ? undefined : `${quote(got)} != model ${quote(want)}`;
}

describe('the book against a sorted model, prices and sizes in any spelling', () => {
  it.each([
    ['levels as written by hand (the book reads their texts), without --top', step, 40, false, false],
    ['levels as written by hand (the book reads their texts), with --top (the side keeps its order)', step, 40, true, false],
    ["the decoders' codes (coded sides, and their fall back to text), without --top", codedStep, 60, false, true],
    ["the decoders' codes (coded sides, and their fall back to text), with --top", codedStep, 60, true, true],
  ])('stays equal to the model through snapshots, changes, removals, duplicates and gaps: %s', (_what, steps, maxLength, top, coded) => {
    fc.assert(
      fc.property(fc.array(steps, { minLength: 1, maxLength }), fc.integer({ min: 1, max: 5 }), (list, depth) => {
        expect(disagreement(list, depth, top, coded)).toBeUndefined();
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('keeps "0.1" and "0.10000000" one level, and a removal in another spelling removes it', () => {
    const processor = new BookProcessor({ depth: 5, top: true });
    const out = new PrintCollector();
    const book = (seq: number, items: BookItem[]): FeedEvent => ({ kind: 'book', pair: 'USDT_BTC', seq, prevSeq: undefined, items });
    processor.apply(book(1, [{ kind: 'snapshot', asks: [{ price: '0.2', size: '1' }], bids: [{ price: '0.10000000', size: '1.00' }] }]), out);
    processor.apply(book(2, [{ kind: 'level', side: 'bid', price: '0.1', size: '2.50' }]), out);
    expect(processor.book('USDT_BTC')?.top('bid', 5)).toEqual([{ price: '0.1', size: '2.50' }]);
    processor.apply(book(3, [{ kind: 'level', side: 'bid', price: '00.100', size: '0.00' }]), out);
    expect(processor.book('USDT_BTC')?.top('bid', 5)).toEqual([]);
    expect(out.prints.filter((p) => p.kind === 'top').at(-1)).toMatchObject({ kind: 'top', bid: undefined, ask: { price: '0.2', size: '1' }, spread: undefined });
  });
});

describe('a side whose order is kept (--top) takes 100k new best levels in one update', () => {
  const noop: Printer = { book() {}, change() {}, remove() {}, trade() {}, ticker() {}, top() {} };

  /** ms to apply one update of `n` new best asks (each below the last) to a book kept in order. */
  function newBestAsks(n: number): number {
    // The limit polo-ws keeps a side to (MAX_SIDE_LEVELS, 100k) is not what this measures.
    const processor = new BookProcessor({ depth: 1, top: true, maxSideLevels: 2 * n });
    const snapshot: FeedEvent = {
      kind: 'book',
      pair: 'BTC_USDT',
      seq: 1,
      prevSeq: undefined,
      items: [{ kind: 'snapshot', asks: [{ price: '3.00000000', size: '1' }], bids: [{ price: '1.00000000', size: '1' }] }],
    };
    processor.apply(snapshot, noop);
    const items: BookItem[] = [];
    for (let i = 0; i < n; i++) items.push({ kind: 'level', side: 'ask', price: (2.99999999 - i / 1e8).toFixed(8), size: '1.00000000' });
    const started = performance.now();
    processor.apply({ kind: 'book', pair: 'BTC_USDT', seq: 2, prevSeq: undefined, items }, noop);
    const ms = performance.now() - started;
    const best = processor.book('BTC_USDT')?.top('ask', 2);
    expect(best).toEqual([
      { price: (2.99999999 - (n - 1) / 1e8).toFixed(8), size: '1.00000000' },
      { price: (2.99999999 - (n - 2) / 1e8).toFixed(8), size: '1.00000000' },
    ]);
    return ms;
  }

  let measured: { small: number; large: number } | undefined;
  /** Both sizes once for the two tests below (the large one is what the issue timed). */
  function measure(): { small: number; large: number } {
    measured ??= { small: Math.min(newBestAsks(25_000), newBestAsks(25_000)), large: newBestAsks(100_000) };
    return measured;
  }

  it('in seconds, not the 13-32 s of a quadratic side', () => {
    const { large } = measure();
    expect(large, `${Math.round(large)} ms for 100k new best asks`).toBeLessThan(10_000);
  });

  it('in time that grows about linearly: 4x the levels cost well under 16x (quadratic)', () => {
    const { small, large } = measure();
    // n log n gives about 4.5x; quadratic 16x. The constant absorbs timer noise of fast runs.
    expect(large, `25k: ${Math.round(small)} ms, 100k: ${Math.round(large)} ms`).toBeLessThan(8 * small + 500);
  });
});

// ---------------------------------------------------------------------------------------------
// The CLI against hostile servers
// ---------------------------------------------------------------------------------------------

type Cleanup = TestContext['onTestFinished'];

async function hostile(cleanup: Cleanup, options: HostileServerOptions): Promise<HostileServer> {
  const server = await startHostileServer(options);
  cleanup(() => server.close());
  return server;
}

interface Run extends CliResult {
  /** ms from SIGINT to exit, when one was sent. */
  readonly afterSigint: number | undefined;
  /** Peak RSS (VmHWM) in MB, as last read while the process ran. */
  readonly peakMb: number | undefined;
}

/** Runs bin/polo-ws.js against `server`, reading its peak RSS as it runs; SIGINT after `sigintAfterMs`, SIGKILL 4 s later. */
async function run(cleanup: Cleanup, server: HostileServer, args: readonly string[], options: { sigintAfterMs?: number; timeoutMs?: number } = {}): Promise<Run> {
  let sigintAt: number | undefined;
  let peakMb: number | undefined;
  const result = await runCli(['--rest-url', server.url, '--ws-url', server.wsUrl, ...args], {
    timeoutMs: options.timeoutMs ?? 12_000,
    onSpawn: (child) => {
      const after = options.sigintAfterMs;
      // VmHWM only grows: the last reading before the exit is the peak of the run (to within 100 ms).
      const sampler = setInterval(() => (peakMb = peakRssMb(child.pid) ?? peakMb), 100);
      child.once('exit', () => clearInterval(sampler));
      const timer =
        after === undefined
          ? undefined
          : setTimeout(() => {
              peakMb = peakRssMb(child.pid) ?? peakMb;
              sigintAt = performance.now();
              child.kill('SIGINT');
            }, after);
      // A process that ignores SIGINT is killed, so the test reports how it failed rather than timing out.
      const killer = after === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), after + 4_000);
      cleanup(() => {
        clearInterval(sampler);
        clearTimeout(timer);
        clearTimeout(killer);
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      });
    },
  });
  return { ...result, afterSigint: sigintAt === undefined ? undefined : performance.now() - sigintAt, peakMb };
}

/** Runs polo-ws in this process against `server` (what it prints does not depend on the process). */
function runIn(server: HostileServer, args: readonly string[]): Promise<CliResult> {
  return runInProcess(['--rest-url', server.url, '--ws-url', server.wsUrl, ...args], { timeoutMs: 12_000 });
}

/** The process's peak resident set (VmHWM), in MB. */
function peakRssMb(pid: number | undefined): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = /VmHWM:\s+(\d+) kB/.exec(status)?.[1];
    return kb === undefined ? undefined : Number(kb) / 1024;
  } catch {
    return undefined;
  }
}

/** What every run must hold, whatever the server did: a clear record of what broke. */
function hygiene(result: CliResult): { offGrammar: string[]; forged: boolean; stdoutControls: string[]; stderrControls: string[]; stack: string[] } {
  return {
    offGrammar: offGrammarLines(result.stdout),
    forged: result.stdout.includes(FORGED_MARK),
    stdoutControls: rawControls(result.stdout),
    stderrControls: rawControls(result.stderr),
    stack: stackLines(result.stderr),
  };
}

const CLEAN = { offGrammar: [], forged: false, stdoutControls: [], stderrControls: [], stack: [] };

const FORGE = `\n${FORGED_LINE}\n`;
const TITLE = '\u001b]0;pwned\u0007';
const CLEAR = '\u001b[2J';

const snapshot = (symbol: string, id: number): object => ({
  channel: 'book_lv2',
  action: 'snapshot',
  data: [{ symbol, createTime: 1, asks: [['23951.12', '1.5']], bids: [['23950.43', '2']], lastId: id - 1, id, ts: 1 }],
});
const trade = (symbol: string, fields: Record<string, unknown> = {}): object => ({
  channel: 'trades',
  data: [{ symbol, amount: '1', takerSide: 'buy', quantity: '0.5', createTime: 1659605262000, price: '2', id: '777', ts: 1, ...fields }],
});
const ticker = (symbol: string, fields: Record<string, unknown> = {}): object => ({
  channel: 'ticker',
  data: [{ symbol, open: '1', high: '2', low: '0.5', close: '1.5', quantity: '10', amount: '15', tradeCount: 3, dailyChange: '-0.01', markPrice: '1.5', ts: 1, ...fields }],
});

/** Plays frames, then closes as given once they have left. */
function script(frames: readonly (string | object)[], code = 1000, reason = 'done') {
  return async (conn: HostileConnection): Promise<void> => {
    for (const frame of frames) conn.send(frame);
    await conn.drained();
    await conn.sleep(100);
    conn.close(code, reason);
  };
}

describe.concurrent('the CLI against a hostile v3 server', () => {
  it('prints no forged line and no raw control byte from ticker and trade fields, and streams on', async ({ onTestFinished }) => {
    const server = await hostile(onTestFinished, {
      api: 'v3',
      rest: () => v3Markets('BTC_USDT', 'ETH_USDT'),
      play: script([
        snapshot('BTC_USDT', 100),
        ticker('BTC_USDT', { close: `1${FORGE}` }),
        ticker('BTC_USDT', { dailyChange: CLEAR, high: TITLE }),
        ticker('BTC_USDT', { low: 1e-7 }),
        trade('BTC_USDT', { id: `1${FORGE}` }),
        trade('BTC_USDT', { createTime: `${TITLE}1` }),
        trade('BTC_USDT', { id: 1.5 }),
        trade('BTC_USDT', { price: `2${FORGE}` }),
        trade(`BTC_USDT${FORGE}`),
        ticker(`ETH_USDT${CLEAR}`),
        { channel: 'book_lv2', action: 'update', data: [{ symbol: 'BTC_USDT', asks: [[`1${FORGE}`, '1']], lastId: 100, id: 101, ts: 1 }] },
        trade('BTC_USDT', { id: '778' }),
        ticker('ETH_USDT'),
      ]),
    });
    const result = await runIn(server, ['--max-reconnects', '0']);
    expect(hygiene(result)).toEqual(CLEAN);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/ TRADE BTC_USDT=778\(tradeId\),bid\(bookSide\),2\(price\),0\.5\(size\),1659605262000\(timestamp\)\n/);
    expect(result.stdout).toMatch(/ TICKER UPDATE ETH_USDT=1\.5\(last\),/);
  });

  it('drops a book that only grows (100k new levels on one side), resubscribes it, and streams on', async ({ onTestFinished }) => {
    const asks = Array.from({ length: 100_001 }, (_, i) => [`${30_000 + i}.5`, '1']);
    const server = await hostile(onTestFinished, {
      api: 'v3',
      rest: () => v3Markets('BTC_USDT', 'ETH_USDT'),
      play: script([
        snapshot('BTC_USDT', 100),
        snapshot('ETH_USDT', 100),
        { channel: 'book_lv2', action: 'update', data: [{ symbol: 'BTC_USDT', createTime: 1, asks, bids: [], lastId: 100, id: 101, ts: 1 }] },
        { channel: 'book_lv2', action: 'update', data: [{ symbol: 'BTC_USDT', createTime: 1, asks: [['29999', '1']], bids: [], lastId: 101, id: 102, ts: 1 }] },
        { channel: 'book_lv2', action: 'update', data: [{ symbol: 'ETH_USDT', createTime: 1, asks: [['23951.13', '1']], bids: [], lastId: 100, id: 101, ts: 1 }] },
        snapshot('BTC_USDT', 200),
        trade('BTC_USDT', { id: '778' }),
      ]),
    });
    const result = await runIn(server, ['--max-reconnects', '0', '--top']);
    expect(hygiene(result)).toEqual(CLEAN);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(
      "warning: BTC_USDT's book holds 100002 levels on one side, more than polo-ws keeps (100000; a broken or hostile feed): BTC_USDT's book dropped: resubscribing BTC_USDT",
    );
    // The update's lines were printed as applied; the next one waited for the snapshot; ETH_USDT went on.
    expect(result.stdout.match(/ Add or change BTC_USDT,side=ask,/g)).toHaveLength(100_001);
    expect(result.stdout).not.toContain('price=29999,');
    expect(result.stdout).toContain(' Add or change ETH_USDT,side=ask,price=23951.13,size=1\n');
    expect(result.stdout.match(/ BTC_USDT book: /g)).toHaveLength(4); // asks and bids of both snapshots
    expect(result.stdout).toMatch(/ TRADE BTC_USDT=778\(tradeId\)/);
  });

  it('prints no forged line from a market list whose symbols hold a line or escape sequences (refused, exit 4, or left out)', async ({ onTestFinished }) => {
    const evil = [`EVIL_USDT${FORGE}`, `${TITLE}X_USDT`, CLEAR, 'A_B\r\nC_D'];
    const server = await hostile(onTestFinished, {
      api: 'v3',
      rest: () => v3Markets('BTC_USDT', ...evil),
      play: script([
        ...evil.flatMap((s, i) => [snapshot(s, 10 + i), trade(s), ticker(s)]),
        snapshot('BTC_USDT', 100),
        trade('BTC_USDT', { id: '778' }),
      ]),
    });
    const result = await runIn(server, ['--max-reconnects', '0']);
    expect(hygiene(result)).toEqual(CLEAN);
    expect([0, 4], `exit ${result.code}: ${result.stderr}`).toContain(result.code);
    if (result.code === 0) expect(result.stdout).toMatch(/ TRADE BTC_USDT=778\(tradeId\)/);
    else expect(result.stdout).toBe('');
  });

  // The error exit is the built CLI (main.ts's escaping of the error line and the warnings); the normal close runs in this process.
  it.for<[number, number, 'process' | 'in process']>([
    [4000, 5, 'process'],
    [1000, 0, 'in process'],
  ])('escapes server error text, bad-frame excerpts and a close reason holding ESC]0;title and ESC[2J (close %i: exit %i, %s)', async ([code, status, where], { onTestFinished }) => {
    const server = await hostile(onTestFinished, {
      api: 'v3',
      rest: () => v3Markets('BTC_USDT'),
      play: script(
        [
          { event: 'error', message: `${TITLE}${CLEAR}Subscription failed${FORGE}` },
          { event: 'error', message: { toString: 1 } },
          { event: 'error', message: [`${TITLE}`] },
          { event: 'subscribe', channel: { toString: 1 }, symbols: [TITLE] },
          { event: 'unsubscribe', channel: [CLEAR], symbols: { toString: 1 } },
          `${CLEAR}{not json${FORGE}`,
          `{"channel":"${TITLE}","data":5}`,
          { channel: 'book_lv2', action: `${TITLE}\u009b2J`, data: [] },
          trade(`NEW${TITLE}_USDT`),
          trade('BTC_USDT', { id: '778' }),
        ],
        code,
        `${TITLE}${CLEAR}bye${FORGE}`.slice(0, 120),
      ),
    });
    const result = where === 'process' ? await run(onTestFinished, server, ['--max-reconnects', '0']) : await runIn(server, ['--max-reconnects', '0']);
    expect(hygiene(result)).toEqual(CLEAN);
    expect(result.code, result.stderr).toBe(status);
    expect(result.stdout).toMatch(/ TRADE BTC_USDT=778\(tradeId\)/);
  });

  it.for<[string, number, RestAnswer]>([
    ['an HTTP 502 whose body holds escape sequences and a line', 3, { status: 502, body: `${TITLE}${CLEAR}bad gateway${FORGE}` }],
    ['a body that is not JSON', 4, { status: 200, body: `${TITLE}${CLEAR}<html>${FORGE}` }],
    ['a refusal whose message holds escape sequences', 4, { status: 200, body: JSON.stringify({ message: `${TITLE}${CLEAR}no${FORGE}` }) }],
    ['a refusal whose message is an object with a toString field', 4, { status: 200, body: '{"message":{"toString":1}}' }],
    ['a market list that is an object with toString', 4, { status: 200, body: '{"toString":1,"__proto__":{"x":1}}' }],
  ])('reports %s on one escaped line, exit %i', async ([, status, answer], { onTestFinished }) => {
    const server = await hostile(onTestFinished, { api: 'v3', rest: () => answer, play: () => undefined });
    const result = await runIn(server, ['--max-reconnects', '0', '--rest-retries', '0']);
    expect(hygiene(result)).toEqual(CLEAN);
    expect(result.code, result.stderr).toBe(status);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^polo-ws: error: /m);
  });

  it('stays under 250 MB through a flood of frames naming unknown symbols while the market list hangs, and SIGINT exits 130 within 3 s', async ({ onTestFinished }) => {
    const FLOOD_MS = 5_000;
    let sent = 0;
    const server = await hostile(onTestFinished, {
      api: 'v3',
      // The start-up list answers; every refresh the unknown symbols ask for hangs.
      rest: (_path, n) => (n === 1 ? v3Markets('BTC_USDT') : 'hang'),
      play: async (conn) => {
        conn.send(snapshot('BTC_USDT', 100));
        const end = performance.now() + FLOOD_MS;
        while (performance.now() < end && conn.socket.readyState === conn.socket.OPEN) {
          // Bounded on our side too: only as fast as the client (or the kernel) takes them.
          if (conn.socket.bufferedAmount > 1 << 20) {
            await conn.sleep(5);
            continue;
          }
          for (let i = 0; i < 200; i++, sent++) {
            conn.send(
              `{"channel":"trades","data":[{"symbol":"NEW${sent}_USDT","amount":"1","takerSide":"buy","quantity":"1","createTime":${sent},"price":"1","id":"${sent}","ts":1}]}`,
            );
          }
          await new Promise((resolve) => setImmediate(resolve));
        }
      },
    });
    const result = await run(onTestFinished, server, [], { sigintAfterMs: FLOOD_MS + 1_000, timeoutMs: FLOOD_MS + 10_000 });
    const peak = result.peakMb ?? Number.NaN;
    const afterSigint = result.afterSigint ?? Number.NaN;
    const what = `peak RSS ${Math.round(peak)} MB, exit ${Math.round(afterSigint)} ms after SIGINT, ${sent} frames sent; stderr ends: ${result.stderr.slice(-600)}`;
    expect(
      { code: result.code, signal: result.signal, peakAtMost250Mb: peak <= 250, exitWithin3sOfSigint: afterSigint < 3_000 },
      what,
    ).toEqual({ code: 130, signal: null, peakAtMost250Mb: true, exitWithin3sOfSigint: true });
    expect(sent, 'frames the server got out').toBeGreaterThan(10_000);
    expect(hygiene(result)).toEqual(CLEAN);
    expect(result.stderr).toMatch(/^polo-ws: stopped by SIGINT: /m);
  });
});

describe.concurrent('the CLI against a hostile legacy server', () => {
  it('prints no forged line from ticker values, trade times or pair names of the ticker map', async ({ onTestFinished }) => {
    const tickerMap = { BTC_ETH: { id: 148 }, [`EVIL${FORGE}`]: { id: 149 }, [`${TITLE}X_Y`]: { id: 150 } };
    const server = await hostile(onTestFinished, {
      api: 'legacy',
      rest: () => ({ status: 200, body: JSON.stringify(tickerMap) }),
      play: script([
        [148, 1000, [['i', { currencyPair: 'BTC_ETH', orderBook: [{ '0.021': '1.5' }, { '0.020': '2' }] }]]],
        [149, 5, [['i', { currencyPair: 'EVIL', orderBook: [{ '0.021': '1.5' }, { '0.020': '2' }] }], ['t', '1', 0, '0.02', '1', 1580000001]]],
        [150, 5, [['t', '2', 0, '0.02', '1', 1580000001]]],
        [1002, null, [148, `1${FORGE}`, '1', '1', '0', '1', '1', 0, '1', '1']],
        [1002, null, [148, '1', '1', '1', TITLE, '1', '1', 0, '1', '1']],
        [1002, null, [149, '1', '1', '1', '0', '1', '1', 0, '1', '1']],
        [1002, null, [148, 1e21, '1', '1', '0', '1', '1', 0, '1', '1']],
        [148, 1001, [['t', '3', 0, '0.02', '1', `1${FORGE}`]]],
        [148, 1002, [['t', '4', 1, '0.02', '1', `${CLEAR}1`]]],
        [148, 1003, [['t', '778', 1, '0.021', '0.5', 1580000009]]],
        { error: `${TITLE}${CLEAR}Invalid channel.${FORGE}` },
        { error: { toString: 1 } },
      ]),
    });
    const result = await runIn(server, ['--api', 'legacy', '--max-reconnects', '0']);
    expect(hygiene(result)).toEqual(CLEAN);
    expect([0, 4], `exit ${result.code}: ${result.stderr}`).toContain(result.code);
    if (result.code === 0) expect(result.stdout).toMatch(/ BTC_ETH book: asks\(\(price,size\)\): \(0\.021,1\.5\)\n/);
  });
});
