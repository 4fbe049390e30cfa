// --publish and `polo-ws subscribe` against real nats-server processes (test/helpers/nats-server.ts):
// the lines a publishing run printed come back from the stream byte for byte (v3 and legacy, text
// and json), subscribe's filters select exactly the publisher's lines, two publishers of one feed
// store each event once, NATS and usage errors are exit 7 and 2, a hostile bus cannot forge a line,
// --since starts where it says, and SIGINT is 130. Each test has its own nats-server (one stream
// may capture poloniex.> per server), simulator and runs, so they all run at once. The runs are in
// this process (run(), as main.ts calls it) but for one round trip, the closed port and SIGINT,
// which spawn bin/polo-ws.js.
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import { expect, it, type TestContext } from 'vitest';
import { startSimulator, type SimOptions, type SimServer } from '../src/sim/index.js';
import { startExchangeLikeServer } from './helpers/exchange-like-server.js';
import { describeNats, startNats, type NatsServer } from './helpers/nats-server.js';
import { decodeBusMessage } from '../src/bus/wire-decode.js';
import { addStream, publishRaw, readStream, streamInfo, streamNames, waitForConsumers, type RawMessage } from './helpers/nats-stream.js';
import { runCli, type CliResult } from './helpers/run-cli.js';
import { runInProcess } from './helpers/run-in-process.js';

type Cleanup = TestContext['onTestFinished'];

async function nats(cleanup: Cleanup, options: { jetstream?: boolean } = {}): Promise<NatsServer> {
  const server = await startNats(options);
  cleanup(() => server.stop());
  return server;
}

async function simulator(cleanup: Cleanup, options: Partial<SimOptions>): Promise<SimServer> {
  const sim = await startSimulator({ api: 'v3', pairs: 6, ...options });
  cleanup(() => sim.close());
  return sim;
}

/**
 * Runs the CLI in this process (run(), as main.ts calls it): what a publisher stores and a subscriber
 * prints does not depend on the process. Stopped when the test ends (a test that failed or timed
 * out leaves no subscriber reconnecting for ever to its stopped nats-server). Generous limits: a
 * loaded 2-core machine runs these at a fraction of their speed.
 */
function polo(cleanup: Cleanup, args: readonly string[], timeoutMs = 40_000): Promise<CliResult> {
  return runInProcess(args, { timeoutMs, onStart: (stop) => cleanup(() => stop()) });
}

/**
 * Spawns bin/polo-ws.js, for what is the process's own (one round trip, a closed port, SIGINT);
 * killed when the test ends.
 */
function poloProcess(cleanup: Cleanup, args: readonly string[], timeoutMs = 40_000): Promise<CliResult> {
  return runCli(args, { timeoutMs, onSpawn: (child) => cleanup(() => void child.kill('SIGKILL')) });
}

/** Each test's limit: above polo's, so a process that never ends fails as itself, with its stderr. */
const TEST_TIMEOUT_MS = 60_000;

/** Runs the CLI in this process: for runs that end before any stream (errors). */
function inProcess(args: readonly string[]): Promise<CliResult> {
  return runInProcess(args, { timeoutMs: 15_000 });
}

/** The exchange options of a publishing run against `sim`. */
function from(sim: SimServer, api: 'v3' | 'legacy' = 'v3'): string[] {
  return ['--api', api, '--rest-url', sim.restUrl, '--ws-url', sim.wsUrl];
}

/** A loopback port nothing listens on (as of now). */
async function closedPort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  server.close();
  await once(server, 'close');
  return port;
}

function linesOf(stdout: string): string[] {
  const lines = stdout.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

/** A text line without its local timestamp (checked). */
function body(line: string): string {
  if (!/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} /.test(line)) throw new Error(`line without a timestamp: ${line}`);
  return line.slice(24);
}

/** The pair a text line names (after its timestamp), as src/output/text.ts writes it. */
function pairOf(text: string): string {
  const m =
    /^(\S+) book: (?:asks|bids)\(/.exec(text) ??
    /^Add or change ([^,]+),side=/.exec(text) ??
    /^Remove ([^,]+),side=/.exec(text) ??
    /^TRADE ([^=]+)=/.exec(text) ??
    /^TICKER UPDATE ([^=]+)=/.exec(text) ??
    /^TOP (\S+) bid=/.exec(text);
  if (m === null) throw new Error(`not a polo-ws line: ${text}`);
  return m[1] as string;
}

/** "PAIR=ID" of each TRADE line. */
function tradeKeys(lines: readonly string[]): string[] {
  return lines.flatMap((line) => {
    const m = /^(?:\S+ \S+ )?TRADE ([^=]+)=([^(]+)\(tradeId\)/.exec(line);
    return m === null ? [] : [`${m[1]}=${m[2]}`];
  });
}

const isTrade = (line: string): boolean => body(line).startsWith('TRADE ');
const isTicker = (line: string): boolean => body(line).startsWith('TICKER UPDATE ');

/** A trade message as the publisher writes it. */
function trade(pair: string, id: string, price: string, at = 1_700_000_000_000): string {
  return `{"pair":"${pair}","at":${at},"id":"${id}","side":"buy","price":"${price}","size":"0.1","time":"1700000000000"}`;
}

/** A book message as the publisher writes it. */
function book(pair: string, seq: number, prevSeq: number | undefined, items: string, at = 1_700_000_000_000): string {
  return `{"pair":"${pair}","seq":${seq}${prevSeq === undefined ? '' : `,"prevSeq":${prevSeq}`},"at":${at},"items":${items}}`;
}

/** A ticker message as the publisher writes it. */
function ticker(pair: string, last: string): string {
  return (
    `{"pair":"${pair}","at":1700000000000,"last":"${last}","lowestAsk":"2","highestBid":"1.5","percentChange":"0.01",` +
    `"baseVolume":"10","quoteVolume":"15","isFrozen":"0","high24hr":"2","low24hr":"1"}`
  );
}

/**
 * The last messages of a stream, put there after the publisher finished: a subscriber that prints
 * them (--max-lines counting them) read the whole stream, so its lines before them are all it prints.
 */
function sentinels(pair: string): { readonly messages: RawMessage[]; readonly trade: string; readonly ticker: string } {
  return {
    messages: [
      { subject: `poloniex.trade.${pair}`, data: trade(pair, 'END', '1') },
      { subject: `poloniex.ticker.${pair}`, data: ticker(pair, '9') },
    ],
    trade: `TRADE ${pair}=END(tradeId),bid(bookSide),1(price),0.1(size),1700000000000(timestamp)`,
    ticker: `TICKER UPDATE ${pair}=9(last),2(lowestAsk),1.5(highestBid),0.01(percentChange),10(baseVolume),15(quoteVolume),0(isFrozen),2(high24hr),1(low24hr)`,
  };
}

/** Asserts stdout is `expected` then the sentinel lines `tail` (bodies), exit 0, nothing on stderr. */
function expectThenSentinels(result: CliResult, expected: readonly string[], ...tail: string[]): void {
  expect(result.code, result.stderr).toBe(0);
  expect(result.stderr).toBe('');
  const lines = linesOf(result.stdout);
  expect(lines.slice(lines.length - tail.length).map(body)).toEqual(tail);
  const head = lines.slice(0, lines.length - tail.length);
  expect(head.length).toBe(expected.length);
  expect(head.join('\n') === expected.join('\n'), `first difference at line ${head.findIndex((line, i) => line !== expected[i])}`).toBe(true);
}

/** Asserts a NATS error: status 7, nothing on stdout, one stderr line (no stack) matching every pattern. */
function expectNatsError(result: CliResult, ...patterns: RegExp[]): void {
  expect(result.code, result.stderr).toBe(7);
  expect(result.stdout).toBe('');
  const lines = linesOf(result.stderr);
  expect(lines, result.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^polo-ws: error: /);
  for (const pattern of patterns) expect(lines[0]).toMatch(pattern);
}

describeNats.concurrent('--publish to JetStream, and subscribe, against a real nats-server', { timeout: TEST_TIMEOUT_MS }, () => {
  it('round trip (v3, text, --top) through a server the code has not seen: subscribe prints the publisher\'s lines byte for byte', async ({ onTestFinished }) => {
    const [server, exchange] = await Promise.all([
      nats(onTestFinished),
      startExchangeLikeServer({ markets: () => ['BTC_USDT', 'ETH_USDT', 'SOL_USDT'].map((symbol) => ({ symbol, state: 'NORMAL' })), seed: 5, tickMs: 2 }),
    ]);
    onTestFinished(() => exchange.close());
    const published = await poloProcess(onTestFinished, ['--rest-url', exchange.url, '--ws-url', exchange.wsUrl, '--publish', server.url, '--stream', 'ROUND', '--max-lines', '300', '--top']);
    expect(published.code, published.stderr).toBe(0);
    expect(published.stderr).toBe('');
    expect(linesOf(published.stdout)).toHaveLength(300);
    expect(new Set(linesOf(published.stdout).map((line) => body(line).split(' ')[0])).size).toBeGreaterThan(2);

    const read = await poloProcess(onTestFinished, ['subscribe', server.url, '--stream', 'ROUND', '--since', 'all', '--max-lines', '300', '--top']);
    expect(read.code, read.stderr).toBe(0);
    expect(read.stderr).toBe('');
    expect(read.stdout === published.stdout, `subscribe printed:\n${read.stdout.slice(0, 2000)}`).toBe(true);
  });

  it('round trip (v3 simulator, --format json --top)', async ({ onTestFinished }) => {
    const [server, sim] = await Promise.all([nats(onTestFinished), simulator(onTestFinished, { seed: 21, rate: 400 })]);
    const published = await polo(onTestFinished, [...from(sim), '--publish', server.url, '--stream', 'JSON', '--format', 'json', '--top', '--max-lines', '400']);
    expect(published.code, published.stderr).toBe(0);
    expect(published.stderr).toBe('');
    const lines = linesOf(published.stdout);
    expect(lines).toHaveLength(400);
    const types = new Set(lines.map((line) => (JSON.parse(line) as { type: string }).type));
    expect([...types].sort()).toEqual(expect.arrayContaining(['book', 'change', 'top']));

    const read = await polo(onTestFinished, ['subscribe', server.url, '--stream', 'JSON', '--since', 'all', '--format', 'json', '--top', '--max-lines', '400']);
    expect(read.code, read.stderr).toBe(0);
    expect(read.stderr).toBe('');
    expect(read.stdout === published.stdout, `subscribe printed:\n${read.stdout.slice(0, 2000)}`).toBe(true);
  });

  it('round trip (v3 simulator, --timestamp utc --depth 5)', async ({ onTestFinished }) => {
    const [server, sim] = await Promise.all([nats(onTestFinished), simulator(onTestFinished, { seed: 22, rate: 400 })]);
    const args = ['--timestamp', 'utc', '--depth', '5', '--max-lines', '400'];
    const published = await polo(onTestFinished, [...from(sim), '--publish', server.url, '--stream', 'UTC5', ...args]);
    expect(published.code, published.stderr).toBe(0);
    expect(published.stderr).toBe('');
    // Five levels a side for each snapshot: the first pair's opening ten lines.
    expect(linesOf(published.stdout).slice(0, 10).map((line) => / book: (asks|bids)\(/.exec(line)?.[1])).toEqual([...Array(5).fill('asks'), ...Array(5).fill('bids')]);

    const read = await polo(onTestFinished, ['subscribe', server.url, '--stream', 'UTC5', '--since', 'all', ...args]);
    expect(read.code, read.stderr).toBe(0);
    expect(read.stderr).toBe('');
    expect(read.stdout === published.stdout, `subscribe printed:\n${read.stdout.slice(0, 2000)}`).toBe(true);
  });

  it('round trip (legacy): trades ride in the book messages and are copied once each to poloniex.trade.*', async ({ onTestFinished }) => {
    const [server, sim] = await Promise.all([nats(onTestFinished), simulator(onTestFinished, { api: 'legacy', seed: 3, rate: 0, frames: 800 })]);
    const published = await polo(onTestFinished, [...from(sim, 'legacy'), '--max-reconnects', '0', '--publish', server.url, '--stream', 'LEGACY', '--top']);
    expect(published.code, published.stderr).toBe(0);
    expect(published.stderr).toBe('');
    const lines = linesOf(published.stdout);
    const trades = tradeKeys(lines);
    expect(trades.length).toBeGreaterThan(10);
    expect(new Set(trades).size).toBe(trades.length);

    const stored = await readStream(server.url, 'LEGACY');
    const copies = stored.filter((m) => m.subject.startsWith('poloniex.trade.'));
    const copyKeys = copies.map((m) => {
      const data = JSON.parse(m.data) as { pair: string; id: string; seq?: number };
      expect(data.seq, m.data).toEqual(expect.any(Number));
      expect(m.subject).toBe(`poloniex.trade.${data.pair}`);
      return `${data.pair}=${data.id}`;
    });
    expect(copyKeys.slice().sort()).toEqual(trades.slice().sort());
    const inBooks = stored
      .filter((m) => m.subject.startsWith('poloniex.book.'))
      .flatMap((m) => {
        const data = JSON.parse(m.data) as { pair: string; items: unknown[][] };
        return data.items.filter((item) => item[0] === 'trade').map((item) => `${data.pair}=${String(item[1])}`);
      });
    expect(inBooks).toEqual(copyKeys);

    // Everything the publisher printed (it ran to the simulator's close), nothing more; the copies alone for trades.
    const end = sentinels(pairOf(body(lines[0] as string)));
    await publishRaw(server.url, end.messages);
    const sub = (count: number, ...args: string[]) => polo(onTestFinished, ['subscribe', server.url, '--stream', 'LEGACY', '--since', 'all', '--max-lines', String(count), ...args]);
    const [all, onlyTrades] = await Promise.all([sub(lines.length + 2, '--top'), sub(trades.length + 1, '--channels', 'trades')]);
    expectThenSentinels(all, lines, end.trade, end.ticker);
    expectThenSentinels(onlyTrades, lines.filter(isTrade), end.trade);
  });

  it('subscribe --channels and --pairs print exactly the publisher\'s lines of those channels and pairs, in order', async ({ onTestFinished }) => {
    const [server, sim] = await Promise.all([nats(onTestFinished), simulator(onTestFinished, { seed: 9, rate: 0, frames: 1500 })]);
    const published = await polo(onTestFinished, [...from(sim), '--max-reconnects', '0', '--publish', server.url, '--stream', 'FILTERS', '--top']);
    expect(published.code, published.stderr).toBe(0);
    expect(published.stderr).toBe('');
    const lines = linesOf(published.stdout);
    const pairs = [...new Set(lines.map((line) => pairOf(body(line))))];
    expect(pairs.length).toBeGreaterThan(3);
    const [x, y] = pairs.slice(1) as [string, string];
    const globbed = pairs.filter((pair) => pair.length === x.length && pair.startsWith(x.slice(0, -1)));
    const ofPairs = (wanted: readonly string[]): string[] => lines.filter((line) => wanted.includes(pairOf(body(line))));
    expect(lines.filter(isTrade).length).toBeGreaterThan(10);
    expect(lines.filter(isTicker).length).toBeGreaterThan(10);
    expect(lines.filter((line) => pairOf(body(line)) === x && isTrade(line)).length).toBeGreaterThan(0);

    // x's trade and ticker last in the stream: each subscriber prints them last, having read it all.
    const end = sentinels(x);
    await publishRaw(server.url, end.messages);
    const sub = (expected: readonly string[], tail: number, ...args: string[]) =>
      polo(onTestFinished, ['subscribe', server.url, '--stream', 'FILTERS', '--since', 'all', '--max-lines', String(expected.length + tail), ...args]);
    const cases: Array<[string[], string[], string[]]> = [
      [['--channels', 'trades'], lines.filter(isTrade), [end.trade]],
      [['--channels', 'ticker'], lines.filter(isTicker), [end.ticker]],
      [['--pairs', x, '--top'], ofPairs([x]), [end.trade, end.ticker]],
      [['--pairs', `${x},${y}`, '--top'], ofPairs([x, y]), [end.trade, end.ticker]],
      [['--pairs', `${x.slice(0, -1)}?`, '--top'], ofPairs(globbed), [end.trade, end.ticker]],
      [['--channels', 'trades', '--pairs', x], lines.filter((line) => isTrade(line) && pairOf(body(line)) === x), [end.trade]],
    ];
    const results = await Promise.all(cases.map(([args, expected, tail]) => sub(expected, tail.length, ...args)));
    results.forEach((result, i) => {
      const [, expected, tail] = cases[i] as [string[], string[], string[]];
      expectThenSentinels(result, expected, ...tail);
    });
  });

  it('two publishers of one feed into one stream store every trade once, and a subscriber sees no gap', async ({ onTestFinished }) => {
    // Both connections carry the one seeded feed for two seconds (600 frames at 300/s), then close.
    const [server, sim] = await Promise.all([nats(onTestFinished), simulator(onTestFinished, { seed: 4, rate: 300, frames: 600 })]);
    const args = [...from(sim), '--max-reconnects', '0', '--publish', server.url, '--stream', 'TWO'];
    const [a, b] = await Promise.all([polo(onTestFinished, args), polo(onTestFinished, args)]);
    for (const run of [a, b]) {
      expect(run.code, run.stderr).toBe(0);
      expect(run.stderr).not.toMatch(/not confirmed|error/);
    }
    // Whichever stored an event second saw it as a duplicate: from then on it confirms each message.
    expect(a.stderr + b.stderr).toMatch(/nats: another publisher writes to the stream \((a duplicate|a broken chain|messages in between)\): confirming each message from here on/);
    const printed = new Set([...tradeKeys(linesOf(a.stdout)), ...tradeKeys(linesOf(b.stdout))]);
    expect(printed.size, `a printed ${linesOf(a.stdout).length} lines, b ${linesOf(b.stdout).length}; stderr ${a.stderr} ${b.stderr}`).toBeGreaterThan(10);

    const stored = await readStream(server.url, 'TWO');
    const storedTrades = stored
      .filter((m) => m.subject.startsWith('poloniex.trade.'))
      .map((m) => {
        const data = JSON.parse(m.data) as { pair: string; id: string };
        return `${data.pair}=${data.id}`;
      });
    expect(storedTrades.length - new Set(storedTrades).size, 'trades stored twice').toBe(0);
    expect(new Set(storedTrades)).toEqual(printed);
    // Each book message (pair, seq, snapshot or update) once too.
    const books = stored.filter((m) => m.subject.startsWith('poloniex.book.')).map((m) => m.msgId);
    expect(books.every((id) => id !== undefined)).toBe(true);
    expect(books.length - new Set(books).size, 'book messages stored twice').toBe(0);

    // The same events, in the same order: the stream holds them once each, in that order, and the
    // subscriber prints the lines both publishers printed (each stamped by whichever stored it).
    const longer = linesOf(a.stdout);
    expect(linesOf(b.stdout).map(body)).toEqual(longer.map(body));
    const end = sentinels(pairOf(body(longer[0] as string)));
    await publishRaw(server.url, end.messages);
    const [all, trades] = await Promise.all([
      polo(onTestFinished, ['subscribe', server.url, '--stream', 'TWO', '--since', 'all', '--max-lines', String(longer.length + 2)]),
      polo(onTestFinished, ['subscribe', server.url, '--stream', 'TWO', '--since', 'all', '--channels', 'trades', '--max-lines', String(printed.size + 1)]),
    ]);
    expect(all.code, all.stderr).toBe(0);
    expect(all.stderr).toBe('');
    expect(linesOf(all.stdout).map(body)).toEqual([...longer.map(body), end.trade, end.ticker]);
    expect(trades.code, trades.stderr).toBe(0);
    expect(trades.stderr).toBe('');
    const readTrades = tradeKeys(linesOf(trades.stdout));
    expect(readTrades.pop()).toBe(`${pairOf(end.trade)}=END`);
    expect(readTrades.length - new Set(readTrades).size, 'trades printed twice').toBe(0);
    expect(new Set(readTrades)).toEqual(printed);
  });

  it('--since new prints nothing stored before it started; --since 1h and an ISO time print what --since all prints', async ({ onTestFinished }) => {
    const started = Date.now();
    const [server, sim] = await Promise.all([nats(onTestFinished), simulator(onTestFinished, { seed: 13, rate: 0, frames: 500 })]);
    const published = await polo(onTestFinished, [...from(sim), '--max-reconnects', '0', '--publish', server.url, '--stream', 'SINCE']);
    expect(published.code, published.stderr).toBe(0);
    const lines = linesOf(published.stdout);
    expect(lines.length).toBeGreaterThan(500);
    const end = sentinels(pairOf(body(lines[0] as string)));
    const sub = (...args: string[]) => polo(onTestFinished, ['subscribe', server.url, '--stream', 'SINCE', ...args]);

    // Started after the publisher: only what is stored after it started reading (the sentinels).
    const fresh = sub('--since', 'new', '--max-lines', '2');
    await waitForConsumers(server.url, 'SINCE');
    await publishRaw(server.url, end.messages);
    expectThenSentinels(await fresh, [], end.trade, end.ticker);

    const count = String(lines.length + 2);
    const [all, hour, iso] = await Promise.all([
      sub('--since', 'all', '--max-lines', count),
      sub('--since', '1h', '--max-lines', count),
      sub('--since', new Date(started - 60_000).toISOString(), '--max-lines', count),
    ]);
    expectThenSentinels(all, lines, end.trade, end.ticker);
    expect(hour.stdout === all.stdout, '--since 1h').toBe(true);
    expect(hour.code).toBe(0);
    expect(iso.stdout === all.stdout, '--since ISO time').toBe(true);
    expect(iso.code).toBe(0);
  });

  it('SIGINT stops a running subscribe: status 130, what arrived after --since new, and a summary line', async ({ onTestFinished }) => {
    const server = await nats(onTestFinished);
    await addStream(server.url, 'LIVE', ['poloniex.>']);
    await publishRaw(server.url, [{ subject: 'poloniex.trade.AAA_BBB', data: trade('AAA_BBB', '1', '1') }]);
    let child: ChildProcess | undefined;
    let stdout = '';
    const running = runCli(['subscribe', server.url, '--stream', 'LIVE', '--since', 'new', '--timestamp', 'none'], {
      timeoutMs: 40_000,
      onSpawn: (spawned) => {
        child = spawned;
        onTestFinished(() => void spawned.kill('SIGKILL'));
        spawned.stdout?.on('data', (chunk: string) => (stdout += chunk));
      },
    });
    await waitForConsumers(server.url, 'LIVE');
    await publishRaw(server.url, [{ subject: 'poloniex.trade.AAA_BBB', data: trade('AAA_BBB', '2', '1.5') }]);
    const deadline = Date.now() + 10_000;
    while (!stdout.includes('\n') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    child?.kill('SIGINT');
    const result = await running;
    expect(result.code, result.stderr).toBe(130);
    expect(result.stdout).toBe('TRADE AAA_BBB=2(tradeId),bid(bookSide),1.5(price),0.1(size),1700000000000(timestamp)\n');
    expect(linesOf(result.stderr)).toEqual(['polo-ws: stopped by SIGINT: 1 messages, 1 lines, 0 gaps, 0 bad messages']);
  });
});

describeNats.concurrent('NATS errors are status 7, bad option values status 2', { timeout: TEST_TIMEOUT_MS }, () => {
  it('--publish to a port nothing listens on: 7 naming the URL, before the exchange is asked', async ({ onTestFinished }) => {
    const [nats, rest] = await Promise.all([closedPort(), closedPort()]);
    const url = `nats://127.0.0.1:${nats}`;
    const result = await poloProcess(onTestFinished, ['--rest-url', `http://127.0.0.1:${rest}`, '--ws-url', `ws://127.0.0.1:${rest}/ws/public`, '--publish', url]);
    expectNatsError(result, new RegExp(`cannot connect to NATS at ${url}\\b`));
    const read = await poloProcess(onTestFinished, ['subscribe', url]);
    expectNatsError(read, new RegExp(`${url}\\b`));
  });

  // The others run in this process (the CLI's run(), as main.ts calls it); the one above spawns it.
  it('a nats-server without JetStream: 7 for --publish and subscribe', async ({ onTestFinished }) => {
    const [server, rest] = await Promise.all([nats(onTestFinished, { jetstream: false }), closedPort()]);
    expectNatsError(await inProcess(['--rest-url', `http://127.0.0.1:${rest}`, '--publish', server.url]), /no JetStream/, new RegExp(server.url));
    expectNatsError(await inProcess(['subscribe', server.url]), /no JetStream/);
  });

  it('subscribe to a stream that does not exist: 7 naming it', async ({ onTestFinished }) => {
    const server = await nats(onTestFinished);
    expectNatsError(await inProcess(['subscribe', server.url, '--stream', 'NOPE', '--since', 'all']), /\bNOPE\b/, new RegExp(server.url));
    expect(await streamNames(server.url)).toEqual([]);
  });

  it('a stream of other subjects is refused by --publish and subscribe, and left as it was', async ({ onTestFinished }) => {
    const [server, rest] = await Promise.all([nats(onTestFinished), closedPort()]);
    await addStream(server.url, 'OTHER', ['orders.>']);
    await publishRaw(server.url, [
      { subject: 'orders.new', data: '{"order":1}' },
      { subject: 'orders.new', data: '{"order":2}' },
    ]);
    const before = await streamInfo(server.url, 'OTHER');
    const [published, read] = await Promise.all([
      polo(onTestFinished, ['--rest-url', `http://127.0.0.1:${rest}`, '--publish', server.url, '--stream', 'OTHER']),
      polo(onTestFinished, ['subscribe', server.url, '--stream', 'OTHER', '--since', 'all']),
    ]);
    expectNatsError(published, /stream OTHER\b/, /orders\.>/);
    expectNatsError(read, /stream OTHER\b/, /orders\.>/);
    const after = await streamInfo(server.url, 'OTHER');
    expect(after.config).toEqual(before.config);
    expect(after.state.messages).toBe(2);
    expect(after.state.last_seq).toBe(before.state.last_seq);
    expect(await streamNames(server.url)).toEqual(['OTHER']);

    // poloniex.> already captured by another stream: a new --stream cannot be made.
    await addStream(server.url, 'MINE', ['poloniex.>']);
    expectNatsError(await polo(onTestFinished, ['--rest-url', `http://127.0.0.1:${rest}`, '--publish', server.url, '--stream', 'NEW']), /stream NEW\b/, /stream MINE already captures poloniex\.>/);
    expect(await streamNames(server.url)).toEqual(['MINE', 'OTHER']);
  });

  it('--replicas 3 on a single server: 7 naming the stream, none created', async ({ onTestFinished }) => {
    const [server, rest] = await Promise.all([nats(onTestFinished), closedPort()]);
    expectNatsError(await inProcess(['--rest-url', `http://127.0.0.1:${rest}`, '--publish', server.url, '--stream', 'R3', '--replicas', '3']), /stream R3\b/, /3 replicas/);
    expect(await streamNames(server.url)).toEqual([]);
  });

  // Each refused before any connection: nats://127.0.0.1:1 and the REST URL would be status 7 or 3.
  it.each([
    ['--publish', 'http://127.0.0.1:4222'],
    ['--publish', 'nats://127.0.0.1:4222/x'],
    ['--publish', ','],
    ['--max-age', '0s'],
    ['--max-age', '1'],
    ['--max-age', '-5m'],
    ['--stream', 'a.b'],
    ['--stream', 'a>'],
    ['--stream', 'a b'],
    ['--replicas', '0'],
    ['--replicas', '6'],
  ])('%s %s: status 2 naming the value, before any connection', async (option, value) => {
    const args = option === '--publish' ? [option, value] : ['--publish', 'nats://127.0.0.1:1', option, value];
    const result = await inProcess(['--rest-url', 'http://127.0.0.1:1', ...args]);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^polo-ws: error: /);
    if (value !== ',') expect(result.stderr).toContain(`"${value}"`);
  });

  it.each([
    [['--since', 'yesterday'], '"yesterday"'],
    [['--since', '2026-13-45'], '"2026-13-45"'],
    [['--since', '-1h'], '"-1h"'],
    [['--stream', 'a.b'], '"a.b"'],
    [['--duration', 'x'], '"x"'],
    [['--channels', 'trades', '--top'], '--top'],
  ])('subscribe %j: status 2, before any connection', async (args, named) => {
    const result = await inProcess(['subscribe', 'nats://127.0.0.1:1', ...args]);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^polo-ws: error: /);
    expect(result.stderr).toContain(named);
  });

  it.each(['http://127.0.0.1:4222', 'nats://', 'nats://127.0.0.1:4222?x=1', ''])('subscribe "%s": status 2', async (url) => {
    const result = await inProcess(['subscribe', url]);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^polo-ws: error: /);
  });
});

describeNats.concurrent('subscribe on a hostile bus', { timeout: TEST_TIMEOUT_MS }, () => {
  it('skips every message that is not the publisher\'s (with rate-limited warnings) and prints the good ones, nothing forged', async ({ onTestFinished }) => {
    const server = await nats(onTestFinished);
    await addStream(server.url, 'HOSTILE', ['poloniex.>']);
    const hugeLevels = Array.from({ length: 40_000 }, (_, i) => `["${i + 2}","1"]`).join(',');
    const good = (subject: string, data: string): RawMessage & { good: true } => ({ subject, data, good: true });
    const bad = (subject: string, data: string | Uint8Array): RawMessage => ({ subject, data });
    const messages: Array<RawMessage & { good?: true }> = [
      good('poloniex.book.AAA_BBB', book('AAA_BBB', 10, undefined, '[["snapshot",[["2","1"],["3","4"]],[["1","1"]]]]')),
      bad('poloniex.book.AAA_BBB', '{"pair":"AAA_BBB","seq":11'),
      bad('poloniex.book.AAA_BBB', ''),
      bad('poloniex.book.AAA_BBB', new Uint8Array([0xff, 0xfe, 0x00, 0x1b])),
      bad('poloniex.book.AAA_BBB', '[1,2,3]'),
      bad('poloniex.book.AAA_BBB', 'null'),
      bad('poloniex.trade.AAA_BBB', trade('AAA_BBB', '3', '1e5')),
      bad('poloniex.trade.AAA_BBB', trade('AAA_BBB', '4', '-1')),
      bad('poloniex.trade.AAA_BBB', trade('AAA_BBB', '5', '1\\n2')),
      bad('poloniex.trade.AAA_BBB', trade('AAA_BBB', '6', '0x10')),
      bad('poloniex.trade.AAA_BBB', trade('AAA_BBB', '7\\n1700000000000 TRADE AAA_BBB=666(tradeId),bid(bookSide),1(price),1(size),1(timestamp)', '1')),
      bad('poloniex.trade.AAA_BBB', trade('CCC_DDD', '8', '1')),
      bad('poloniex.trade.AAA_BBB', trade('AAA_BBB\\u001b[2J', '9', '1')),
      bad('poloniex.trade.AAA\u001b[31m', trade('AAA\u001b[31m', '10', '1')),
      bad('poloniex.ticker.AAA_BBB', ticker('AAA_BBB', '1\\u0007')),
      bad('poloniex.ticker.AAA_BBB', ticker('AAA_BBB', '1\\u2028TICKER')),
      bad('poloniex.ticker.AAA_BBB', '{"pair":"AAA_BBB","at":1700000000000,"last":"1"}'),
      bad('poloniex.book.AAA_BBB', book('AAA_BBB', 11, 10, `[${Array(20_000).fill('1').join(',')}]`)),
      bad('poloniex.book.AAA_BBB', book('AAA_BBB', 11, 10, `${'['.repeat(100_000)}${']'.repeat(100_000)}`)),
      bad('poloniex.book.AAA_BBB', book('AAA_BBB', -1, undefined, '[["snapshot",[],[]]]')),
      bad('poloniex.book.AAA_BBB', book('AAA_BBB', 1.5, undefined, '[["snapshot",[],[]]]')),
      bad('poloniex.book.AAA_BBB', book('AAA_BBB', 11, 10, '[["bid","1","1","extra"]]')),
      bad('poloniex.book.AAA_BBB', `{"__proto__":{"pair":"AAA_BBB"},"seq":11,"prevSeq":10,"at":1,"items":[]}`),
      bad('poloniex.orders.AAA_BBB', trade('AAA_BBB', '11', '1')),
      // Not poloniex.<kind>.<PAIR>: outside subscribe's filter, never read.
      { subject: 'poloniex.trade.AAA_BBB.extra', data: trade('AAA_BBB', '999', '1') },
      { subject: 'poloniex.trade', data: trade('AAA_BBB', '998', '1') },
      good('poloniex.book.AAA_BBB', book('AAA_BBB', 11, 10, '[["bid","1.5","3"]]')),
      good('poloniex.trade.AAA_BBB', trade('AAA_BBB', '77', '1.5')),
      good('poloniex.ticker.AAA_BBB', ticker('AAA_BBB', '1.5')),
      good('poloniex.trade.X~Y_Z', trade('X.Y_Z', '78', '2')),
      good('poloniex.book.HUGE_X', book('HUGE_X', 1, undefined, `[["snapshot",[${hugeLevels}],[["1","1"]]]]`)),
      good('poloniex.trade.AAA_BBB', trade('AAA_BBB', '79', '1.5')),
    ];
    await publishRaw(server.url, messages);
    const badCount = messages.filter((m) => m.good !== true && m.subject.split('.').length === 3).length;

    // The last good message is the stream's last: its line, the 12th, ends the run having read everything.
    const read = await polo(onTestFinished, ['subscribe', server.url, '--stream', 'HOSTILE', '--since', 'all', '--max-lines', '12', '--timestamp', 'none', '--top']);
    expect(read.code, read.stderr).toBe(0);
    expect(linesOf(read.stdout)).toEqual([
      'AAA_BBB book: asks((price,size)): (2,1)',
      'AAA_BBB book: bids((price,size)): (1,1)',
      'TOP AAA_BBB bid=1@1 ask=2@1 spread=1',
      'Add or change AAA_BBB,side=bid,price=1.5,size=3',
      'TOP AAA_BBB bid=1.5@3 ask=2@1 spread=0.5',
      'TRADE AAA_BBB=77(tradeId),bid(bookSide),1.5(price),0.1(size),1700000000000(timestamp)',
      'TICKER UPDATE AAA_BBB=1.5(last),2(lowestAsk),1.5(highestBid),0.01(percentChange),10(baseVolume),15(quoteVolume),0(isFrozen),2(high24hr),1(low24hr)',
      'TRADE X.Y_Z=78(tradeId),bid(bookSide),2(price),0.1(size),1700000000000(timestamp)',
      'HUGE_X book: asks((price,size)): (2,1)',
      'HUGE_X book: bids((price,size)): (1,1)',
      'TOP HUGE_X bid=1@1 ask=2@1 spread=1',
      'TRADE AAA_BBB=79(tradeId),bid(bookSide),1.5(price),0.1(size),1700000000000(timestamp)',
    ]);
    expect(read.stdout).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f\u2028\u2029]/);
    // stderr: one line each, escaped; five warnings, then the count of those held back.
    expect(read.stderr).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f]/);
    const stderr = linesOf(read.stderr);
    expect(stderr.every((line) => line.startsWith('polo-ws: warning: '))).toBe(true);
    expect(stderr.filter((line) => /bad message #\d+ skipped/.test(line))).toHaveLength(5);
    expect(stderr).toContain(`polo-ws: warning: ${badCount - 5} more bad-message warnings not shown`);
    expect(stderr).toHaveLength(6);
    expect(read.stderr).not.toMatch(/^\s+at /m);
  });

  // "at" must be a whole number of ms a Date holds: 1e300 once threw in Date#toISOString (--format json).
  it('a message whose "at" is no time is a bad message, not a crash (--format json)', async ({ onTestFinished }) => {
    const server = await nats(onTestFinished);
    await addStream(server.url, 'AT', ['poloniex.>']);
    await publishRaw(server.url, [
      { subject: 'poloniex.trade.AAA_BBB', data: trade('AAA_BBB', '1', '1', 1e300) },
      { subject: 'poloniex.trade.AAA_BBB', data: trade('AAA_BBB', '2', '1') },
    ]);
    const read = await polo(onTestFinished, ['subscribe', server.url, '--stream', 'AT', '--since', 'all', '--max-lines', '1', '--format', 'json']);
    expect(read.code, read.stderr).toBe(0);
    expect(linesOf(read.stdout)).toEqual(['{"ts":"2023-11-14T22:13:20.000Z","type":"trade","pair":"AAA_BBB","tradeId":"2","side":"bid","price":"1","size":"0.1","timestamp":"1700000000000"}']);
    expect(read.stderr).toMatch(/bad message #1 skipped/);
  });

  // ... and once printed "NaN-NaN-NaN NaN:NaN:NaN.NaN" as a text timestamp (epoch-ms: "1e+300", "1.5").
  it('a message whose "at" is no time is a bad message, not a NaN timestamp (text)', async ({ onTestFinished }) => {
    const server = await nats(onTestFinished);
    await addStream(server.url, 'AT', ['poloniex.>']);
    await publishRaw(server.url, [
      { subject: 'poloniex.trade.AAA_BBB', data: trade('AAA_BBB', '1', '1', 1e300) },
      { subject: 'poloniex.trade.AAA_BBB', data: trade('AAA_BBB', '3', '1', 1.5) },
      { subject: 'poloniex.trade.AAA_BBB', data: trade('AAA_BBB', '2', '1') },
    ]);
    const read = await polo(onTestFinished, ['subscribe', server.url, '--stream', 'AT', '--since', 'all', '--max-lines', '1', '--timestamp', 'epoch-ms']);
    expect(read.code, read.stderr).toBe(0);
    expect(linesOf(read.stdout)).toEqual(['1700000000000 TRADE AAA_BBB=2(tradeId),bid(bookSide),1(price),0.1(size),1700000000000(timestamp)']);
  });
});

describeNats.concurrent('subscribe on a hostile bus: the cost of one message', { timeout: TEST_TIMEOUT_MS }, () => {
  // A book message whose "items" is a junk array is refused at its first bad item (zod's union tried
  // every shape on every element and kept every failure: 800 KB held the event loop for ~7 s).
  it('a junk array of 800 KB is refused at its first item, and the next message prints', async ({ onTestFinished }) => {
    const junk = book('AAA_BBB', 2, 1, `[${Array(400_000).fill('1').join(',')}]`);
    expect(decodeBusMessage('poloniex.book.AAA_BBB', junk)).toEqual({ ok: false, detail: 'items.0: not a list' });
    const server = await nats(onTestFinished);
    await addStream(server.url, 'JUNK', ['poloniex.>']);
    await publishRaw(server.url, [
      { subject: 'poloniex.book.AAA_BBB', data: book('AAA_BBB', 2, 1, `[${Array(400_000).fill('1').join(',')}]`) },
      { subject: 'poloniex.trade.AAA_BBB', data: trade('AAA_BBB', '2', '1') },
    ]);
    const read = await polo(onTestFinished, ['subscribe', server.url, '--stream', 'JUNK', '--since', 'all', '--max-lines', '1', '--timestamp', 'none'], 30_000);
    expect(read.code, read.stderr).toBe(0);
    expect(read.stdout).toBe('TRADE AAA_BBB=2(tradeId),bid(bookSide),1(price),0.1(size),1700000000000(timestamp)\n');
  });
});
