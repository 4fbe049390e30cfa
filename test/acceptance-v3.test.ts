import { describe, expect, it, type TestContext } from 'vitest';
import { untimed, type CliResult } from './helpers/run-cli.js';
import { runInProcess } from './helpers/run-in-process.js';
import {
  startExchangeLikeServer,
  type ClientCommand,
  type ExchangeConnection,
  type ExchangeLikeServer,
  type ExchangeOptions,
  type Market,
} from './helpers/exchange-like-server.js';

/**
 * Acceptance tests against a server shaped like the real v3 exchange (20-level book_lv2 window, one
 * item per message, string acks, error frames that do not say what they answer), independent of
 * src/sim. stderr wording is matched by key words only; behaviour is asserted on what the server
 * saw (connections, commands, their times) and on stdout, line for line.
 */

const normal = (...symbols: string[]): Market[] => symbols.map((symbol) => ({ symbol, state: 'NORMAL' }));

/** Registers cleanup for the test running now (each test its own: the tests run concurrently). */
type Cleanup = (fn: () => void | Promise<void>) => void;

/** Starts a server that is closed when the test ends. */
async function exchange(cleanup: Cleanup, options: ExchangeOptions): Promise<ExchangeLikeServer> {
  const server = await startExchangeLikeServer(options);
  cleanup(() => server.close());
  return server;
}

/** Runs polo-ws (in this process) against the server; stopped as SIGINT does after `sigintAfterMs` when given, and when the test ends. */
function run(cleanup: Cleanup, s: ExchangeLikeServer, args: string[], options: { sigintAfterMs?: number; timeoutMs?: number } = {}): Promise<CliResult> {
  return runInProcess(['--rest-url', s.url, '--ws-url', s.wsUrl, ...args], {
    timeoutMs: options.timeoutMs ?? 12_000,
    onStart: (stop) => {
      const after = options.sigintAfterMs;
      const timer = after === undefined ? undefined : setTimeout(() => stop(), after);
      cleanup(() => {
        clearTimeout(timer);
        stop();
      });
    },
  });
}

/** Commands of `event`, optionally naming `channel` and `symbol`. */
function sent(s: ExchangeLikeServer, event: string, channel?: string, symbol?: string): ClientCommand[] {
  return s.commands.filter((c) => c.event === event && (channel === undefined || c.channels.includes(channel)) && (symbol === undefined || c.symbols.includes(symbol)));
}

/** stderr lines matching every pattern. */
function stderrLines(stderr: string, ...patterns: RegExp[]): string[] {
  return stderr.split('\n').filter((line) => line !== '' && patterns.every((p) => p.test(line)));
}

/** A resync command: one book_lv2 subscribe or unsubscribe naming `symbol` alone. */
function isBookResync(c: ClientCommand, symbol: string): boolean {
  return c.channels.length === 1 && c.channels[0] === 'book_lv2' && c.symbols.length === 1 && c.symbols[0] === symbol;
}

describe.concurrent('reconnect backoff', () => {
  it('backs off, doubling, against a server that acks every subscription then errors and closes 1001 on every connection', async ({ onTestFinished }) => {
    const failing = new Set<number>();
    const s = await exchange(onTestFinished, {
      markets: () => normal('BTC_USDT', 'ETH_USDT'),
      onCommand: (conn, c) => {
        if (c.event !== 'subscribe') return false;
        for (const channel of c.channels) conn.send({ event: 'subscribe', channel, symbols: c.symbols });
        if (!failing.has(conn.number)) {
          failing.add(conn.number);
          conn.later(100, () => {
            conn.error('Subscription failed');
            conn.close(1001, 'going away');
          });
        }
        return true;
      },
    });
    const result = await run(onTestFinished, s, [], { sigintAfterMs: 10_000, timeoutMs: 14_000 });
    expect(result.code).toBe(130);
    // Acks and errors are no market data: waits of 0.25-0.5 s, 0.5-1, 1-2, 2-4 s... allow 6 connections in 10 s.
    expect(s.connections.length).toBeLessThanOrEqual(6);
    expect(s.connections.length).toBeGreaterThanOrEqual(3);
    const opened = s.connections.map((c) => c.openedAt);
    for (let i = 1; i < opened.length; i++) {
      expect((opened[i] ?? 0) - (opened[i - 1] ?? 0)).toBeGreaterThanOrEqual(250 * 2 ** (i - 1) - 30);
    }
  }, 16_000);
});

describe.concurrent('--markets-refresh', () => {
  it('subscribes a market listed after start-up, prints it exactly, and exits 0 when the server closes normally', async ({ onTestFinished }) => {
    const s = await exchange(onTestFinished, {
      markets: (t) => normal('BTC_USDT', 'ETH_USDT', ...(t >= 3000 ? ['SOL_USDT'] : [])),
      closeAfterMs: 9000,
      onData: (conn, symbol) => {
        if (symbol === 'SOL_USDT' && conn.messages('SOL_USDT') >= 30) conn.close(1000, 'done');
      },
    });
    const result = await run(onTestFinished, s, ['--markets-refresh', '2', '--max-reconnects', '0']);
    expect(result.code).toBe(0);
    expect(s.connections).toHaveLength(1);
    const subscribes = sent(s, 'subscribe', undefined, 'SOL_USDT');
    expect(new Set(subscribes.flatMap((c) => c.channels))).toEqual(new Set(['ticker', 'trades', 'book_lv2']));
    for (const c of subscribes) expect(c.at).toBeGreaterThanOrEqual(3000);
    expect(Math.max(...subscribes.map((c) => c.at))).toBeLessThanOrEqual(7000);
    const expected = s.expectedLines();
    expect(expected).toContainEqual(expect.stringMatching(/^SOL_USDT book: asks/));
    expect(expected).toContainEqual(expect.stringMatching(/^TRADE SOL_USDT=/));
    expect(untimed(result.stdout)).toEqual(expected);
    expect(stderrLines(result.stderr, /SOL_USDT/)).toHaveLength(1);
  }, 15_000);

  it('subscribes a newly listed market that matches a --pairs glob, and none that does not', async ({ onTestFinished }) => {
    const s = await exchange(onTestFinished, {
      markets: (t) => normal('BTC_USDT', 'ETH_USDT', 'SOL_USDT', ...(t >= 3000 ? ['SOL_BTC', 'XRP_USDT'] : [])),
      closeAfterMs: 9000,
      onData: (conn, symbol) => {
        if (symbol === 'SOL_BTC' && conn.messages('SOL_BTC') >= 30) conn.close(1000, 'done');
      },
    });
    const result = await run(onTestFinished, s, ['--pairs', 'SOL_*', '--markets-refresh', '2', '--max-reconnects', '0']);
    expect(result.code).toBe(0);
    for (const c of s.commands) for (const symbol of c.symbols) expect(['SOL_USDT', 'SOL_BTC']).toContain(symbol);
    const late = sent(s, 'subscribe', 'book_lv2', 'SOL_BTC');
    expect(late).toHaveLength(1);
    expect(late[0]?.at).toBeGreaterThanOrEqual(3000);
    expect(late[0]?.at).toBeLessThanOrEqual(7000);
    const expected = s.expectedLines();
    expect(expected).toContainEqual(expect.stringMatching(/^SOL_BTC book: bids/));
    expect(untimed(result.stdout)).toEqual(expected);
  }, 15_000);

  it('unsubscribes a delisted market and prints nothing of it after, in-flight frames included, without a warning flood', async ({ onTestFinished }) => {
    const s = await exchange(onTestFinished, {
      markets: (t) => normal('BTC_USDT', 'ETH_USDT', ...(t < 3000 ? ['SOL_USDT'] : [])),
      inFlight: 6,
      closeAfterMs: 9000,
      onCommand: (conn, c) => {
        if (c.event === 'unsubscribe' && c.symbols.includes('SOL_USDT')) conn.later(1500, () => conn.close(1001, 'going away'));
        return false;
      },
    });
    const result = await run(onTestFinished, s, ['--markets-refresh', '2', '--max-reconnects', '0']);
    expect(result.code).toBe(0);
    const unsubscribes = sent(s, 'unsubscribe', undefined, 'SOL_USDT');
    expect(new Set(unsubscribes.flatMap((c) => c.channels))).toEqual(new Set(['ticker', 'trades', 'book_lv2']));
    expect(Math.min(...unsubscribes.map((c) => c.at))).toBeGreaterThanOrEqual(3000);
    expect(Math.max(...unsubscribes.map((c) => c.at))).toBeLessThanOrEqual(7000);
    expect(sent(s, 'subscribe', undefined, 'SOL_USDT').every((c) => c.at < 3000)).toBe(true);
    const expected = s.expectedLines();
    expect(expected).toContainEqual(expect.stringMatching(/^SOL_USDT book: asks/));
    expect(untimed(result.stdout)).toEqual(expected);
    expect(result.stderr).not.toMatch(/bad frame/i);
    expect(result.stderr).not.toMatch(/not shown/);
    expect(stderrLines(result.stderr, /SOL_USDT/).length).toBeLessThanOrEqual(2);
  }, 15_000);

  it('flips the ticker isFrozen column to 1 when the market state goes from NORMAL to PAUSE', async ({ onTestFinished }) => {
    const s = await exchange(onTestFinished, {
      markets: (t) => [
        { symbol: 'BTC_USDT', state: 'NORMAL' },
        { symbol: 'ETH_USDT', state: t < 2500 ? 'NORMAL' : 'PAUSE' },
      ],
      closeAfterMs: 7000,
    });
    const result = await run(onTestFinished, s, ['--markets-refresh', '2', '--max-reconnects', '0']);
    expect(result.code).toBe(0);
    const lines = untimed(result.stdout);
    const frozen = (symbol: string): string =>
      lines
        .filter((l) => l.startsWith(`TICKER UPDATE ${symbol}=`))
        .map((l) => /,([01])\(isFrozen\)/.exec(l)?.[1] ?? '?')
        .join('');
    expect(frozen('ETH_USDT')).toMatch(/^0+1{3,}$/);
    expect(frozen('BTC_USDT')).toMatch(/^0+$/);
    // When the client heard of the change is its own affair: compare everything else exactly.
    const masked = (all: string[]): string[] => all.map((l) => (l.startsWith('TICKER UPDATE ETH_USDT=') ? l.replace(/,[01]\(isFrozen\)/, ',?(isFrozen)') : l));
    expect(masked(lines)).toEqual(masked(s.expectedLines()));
    expect(stderrLines(result.stderr, /ETH_USDT/)).toHaveLength(1);
  }, 15_000);
});

describe.concurrent('--resync-timeout', () => {
  it('asks again for a snapshot the server refused after a gap, and gets the book back on the same connection', async ({ onTestFinished }) => {
    let injected = false;
    let resubscribes = 0;
    const s = await exchange(onTestFinished, {
      markets: () => normal('BTC_USDT', 'ETH_USDT'),
      closeAfterMs: 9500,
      onData: (conn, symbol) => {
        if (injected || symbol !== 'ETH_USDT' || conn.age() < 1000) return;
        injected = true;
        conn.dropNextUpdate('ETH_USDT');
      },
      onCommand: (conn, c) => {
        if (!injected || !isBookResync(c, 'ETH_USDT')) return false;
        // The first unsubscribe is lost (updates keep coming) and its subscribe refused; the second pair works.
        if (c.event === 'unsubscribe') return resubscribes === 0;
        if (++resubscribes > 1) {
          conn.later(1500, () => conn.close(1000, 'done'));
          return false;
        }
        conn.error('Already subscribed');
        return true;
      },
    });
    const result = await run(onTestFinished, s, ['--resync-timeout', '3', '--max-reconnects', '0']);
    expect(result.code).toBe(0);
    expect(s.connections).toHaveLength(1);
    const [first, second] = s.commands.filter((c) => c.event === 'subscribe' && isBookResync(c, 'ETH_USDT'));
    expect(first?.at).toBeGreaterThanOrEqual(1000);
    expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(2500);
    expect((second?.at ?? Infinity) - (first?.at ?? 0)).toBeLessThanOrEqual(5000);
    expect(second?.at).toBeLessThanOrEqual(8000);
    const lines = untimed(result.stdout);
    expect(lines.filter((l) => l.startsWith('ETH_USDT book: asks'))).toHaveLength(2);
    expect(lines).toEqual(s.expectedLines());
    expect(result.stderr).toMatch(/Already subscribed/);
  }, 15_000);

  it('replaces the connection after three resyncs of a pair went unanswered', async ({ onTestFinished }) => {
    let injected = false;
    const s = await exchange(onTestFinished, {
      markets: () => normal('BTC_USDT', 'ETH_USDT'),
      closeAfterMs: 9500,
      onData: (conn, symbol) => {
        if (conn.number === 2 && conn.age() >= 1500) conn.close(1000, 'done');
        if (injected || symbol !== 'ETH_USDT' || conn.age() < 1000) return;
        injected = true;
        conn.dropNextUpdate('ETH_USDT');
      },
      // On the first connection ETH_USDT's resyncs get no answer at all: no ack, no snapshot.
      onCommand: (conn, c) => conn.number === 1 && injected && isBookResync(c, 'ETH_USDT'),
    });
    const result = await run(onTestFinished, s, ['--resync-timeout', '1', '--max-reconnects', '1']);
    expect(result.code).toBe(0);
    expect(s.connections).toHaveLength(2);
    const tries = s.commands.filter((c) => c.conn === 1 && c.event === 'subscribe' && isBookResync(c, 'ETH_USDT'));
    expect(tries).toHaveLength(3);
    const replacedAfter = (s.connections[1]?.openedAt ?? Infinity) - (tries[0]?.at ?? 0);
    expect(replacedAfter).toBeGreaterThanOrEqual(2800);
    expect(replacedAfter).toBeLessThanOrEqual(5500);
    const fresh = s.expectedLines(1, 2);
    expect(fresh).toContainEqual(expect.stringMatching(/^ETH_USDT book: asks/));
    expect(untimed(result.stdout).slice(-fresh.length)).toEqual(fresh);
  }, 15_000);
});

describe.concurrent('--data-timeout', () => {
  const stalling = (): ExchangeOptions => ({ markets: () => normal('BTC_USDT', 'ETH_USDT'), dataForMs: 2000 });
  /** Pings answered on a connection after its data stopped. */
  const pongsAfterStall = (conn: ExchangeConnection | undefined): number => conn?.pings.filter((at) => at > conn.openedAt + 2000).length ?? 0;

  it('replaces a connection whose market data stopped while its pongs still arrive', async ({ onTestFinished }) => {
    const s = await exchange(onTestFinished, stalling());
    const result = await run(onTestFinished, s, ['--data-timeout', '3', '--heartbeat-timeout', '3'], { sigintAfterMs: 8000 });
    expect(result.code).toBe(130);
    const [first, second] = s.connections;
    expect(pongsAfterStall(first)).toBeGreaterThanOrEqual(2);
    expect(second).toBeDefined();
    expect((second?.openedAt ?? 0) - (first?.openedAt ?? 0)).toBeGreaterThanOrEqual(4800);
    expect(second?.openedAt).toBeLessThanOrEqual(8000);
  }, 15_000);

  it('keeps that connection with --heartbeat-timeout alone, since pongs flow (data timeout at its 60 s default)', async ({ onTestFinished }) => {
    const s = await exchange(onTestFinished, stalling());
    const result = await run(onTestFinished, s, ['--heartbeat-timeout', '3'], { sigintAfterMs: 8000 });
    expect(result.code).toBe(130);
    expect(s.connections).toHaveLength(1);
    expect(pongsAfterStall(s.connections[0])).toBeGreaterThanOrEqual(2);
  }, 15_000);
});

describe.concurrent('a real-shaped feed (20-level window, one item per message, trailing zeros)', () => {
  async function realFeed(onTestFinished: Cleanup, args: string[]): Promise<{ s: ExchangeLikeServer; result: CliResult }> {
    const s = await exchange(onTestFinished, {
      markets: () => normal('BTC_USDT', 'ETH_USDT', 'SHIB_USDT'),
      seed: 7,
      tickMs: 4,
      onData: (conn) => {
        if (conn.messages() >= 500) conn.close(1000, 'done');
      },
    });
    return { s, result: await run(onTestFinished, s, ['--max-reconnects', '0', ...args]) };
  }

  it.for([1, 20])('prints every line exactly with --depth %i', { timeout: 15_000 }, async (depth: number, { onTestFinished }: TestContext) => {
    const { s, result } = await realFeed(onTestFinished, ['--depth', String(depth)]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const expected = s.expectedLines(depth);
    // The feed has what the real one has: levels leaving the window, quantities with trailing zeros.
    expect(expected.filter((l) => l.startsWith('Remove ')).length).toBeGreaterThan(20);
    expect(expected).toContainEqual(expect.stringMatching(/size=\d+\.\d*0$/));
    expect(expected.filter((l) => / book: asks/.test(l))).toHaveLength(3 * depth);
    expect(untimed(result.stdout)).toEqual(expected);
  });

  it('prints --format json objects whose values are the strings sent, fields in the documented order', async ({ onTestFinished }) => {
    const { s, result } = await realFeed(onTestFinished, ['--format', 'json', '--depth', '3']);
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    for (const line of lines) expect(line).toMatch(/^\{"ts":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z",/);
    expect(lines.map((l) => l.replace(/^\{"ts":"[^"]*",/, '{'))).toEqual(s.expected(3).map((r) => JSON.stringify(r)));
  }, 15_000);

  it('prints 20 levels a side with --depth 25 and warns that the v3 book is a 20-level window', async ({ onTestFinished }) => {
    const { s, result } = await realFeed(onTestFinished, ['--depth', '25']);
    expect(result.code).toBe(0);
    expect(stderrLines(result.stderr, /depth/i, /\b20\b/).length).toBeGreaterThanOrEqual(1);
    const expected = s.expectedLines(25);
    expect(expected.filter((l) => l.startsWith('BTC_USDT book: bids'))).toHaveLength(20);
    expect(untimed(result.stdout)).toEqual(expected);
  }, 15_000);
});

describe.concurrent('confirmed subscriptions', () => {
  /** A server whose first trades subscription leaves ETH_USDT out of its ack, or answers it with an error. */
  function refusingTrades(reply: 'partial-ack' | 'error'): ExchangeOptions {
    let refused = false;
    return {
      markets: () => normal('BTC_USDT', 'ETH_USDT'),
      closeAfterMs: 7000,
      onCommand: (conn, c) => {
        if (c.event !== 'subscribe' || !c.channels.includes('trades')) return false;
        if (refused) {
          if (c.symbols.includes('ETH_USDT')) conn.later(1500, () => conn.close(1000, 'done'));
          return false;
        }
        refused = true;
        if (reply === 'error') conn.error('Subscription failed');
        for (const channel of c.channels) {
          if (reply === 'partial-ack' || channel !== 'trades') {
            conn.subscribe(channel, channel === 'trades' ? c.symbols.filter((symbol) => symbol !== 'ETH_USDT') : c.symbols);
          }
        }
        return true;
      },
    };
  }

  it.for(['partial-ack', 'error'] as const)('subscribes trades of a symbol again when the server never confirmed it (%s), reporting it once', { timeout: 15_000 }, async (reply: 'partial-ack' | 'error', { onTestFinished }: TestContext) => {
    const s = await exchange(onTestFinished, refusingTrades(reply));
    const result = await run(onTestFinished, s, ['--resync-timeout', '2', '--max-reconnects', '0']);
    expect(result.code).toBe(0);
    const [original, retry] = sent(s, 'subscribe', 'trades', 'ETH_USDT');
    const after = (retry?.at ?? Infinity) - (original?.at ?? 0);
    expect(after).toBeGreaterThanOrEqual(reply === 'error' ? 0 : 1500);
    expect(after).toBeLessThanOrEqual(3500);
    // Confirmed subscriptions are not sent again.
    expect(sent(s, 'subscribe', 'book_lv2')).toHaveLength(1);
    expect(sent(s, 'subscribe', 'ticker')).toHaveLength(1);
    const expected = s.expectedLines();
    expect(expected).toContainEqual(expect.stringMatching(/^TRADE ETH_USDT=/));
    expect(untimed(result.stdout)).toEqual(expected);
    if (reply === 'error') expect(stderrLines(result.stderr, /Subscription failed/)).toHaveLength(1);
    else expect(stderrLines(result.stderr, /ETH_USDT/, /trades/)).toHaveLength(1);
  });
});
