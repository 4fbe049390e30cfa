import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { untimed } from './helpers/run-cli.js';
import { runInProcess, type InProcessOptions } from './helpers/run-in-process.js';
import { startScriptedServer, type ScriptedServer } from './helpers/scripted-server.js';

const fixture = JSON.parse(readFileSync(new URL('./fixtures/legacy-session.json', import.meta.url), 'utf8')) as {
  tickerMap: Record<string, { id: number }>;
  frames: string[];
};
const referenceLines = readFileSync(new URL('./fixtures/reference-output.txt', import.meta.url), 'utf8').trimEnd().split('\n');

let server: ScriptedServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** polo-ws (in this process) against the scripted legacy server playing the fixture. */
async function run(extra: string[], end: 'close' | 'stay-open' = 'close', subscriptions = 4, options: InProcessOptions = {}) {
  await server?.close();
  server = await startScriptedServer({ tickerMap: fixture.tickerMap, steps: fixture.frames, subscriptions, end });
  return runInProcess(['--api', 'legacy', '--rest-url', server.url, '--ws-url', server.wsUrl, '--max-reconnects', '0', ...extra], options);
}

/** Every line of a complete run of the fixture, tickers included, unstamped. */
async function allLines(): Promise<string[]> {
  const result = await run(['--timestamp', 'none']);
  expect(result.code).toBe(0);
  return result.stdout.trimEnd().split('\n');
}

/** The fields of each --format json type, in the README's order. */
const JSON_FIELDS = {
  book: ['ts', 'type', 'pair', 'side', 'price', 'size'],
  change: ['ts', 'type', 'pair', 'side', 'price', 'size'],
  remove: ['ts', 'type', 'pair', 'side', 'price'],
  trade: ['ts', 'type', 'pair', 'tradeId', 'side', 'price', 'size', 'timestamp'],
  ticker: ['ts', 'type', 'pair', 'last', 'lowestAsk', 'highestBid', 'percentChange', 'baseVolume', 'quoteVolume', 'isFrozen', 'high24hr', 'low24hr'],
};

const withoutTickers = (lines: string[]): string[] => lines.filter((line) => !line.includes('TICKER UPDATE'));

/** An independent rebuild of the fixture's books: the best bid/ask after every book frame. */
function expectedTops(): string[] {
  const ids = new Map(Object.entries(fixture.tickerMap).map(([pair, v]) => [v.id, pair]));
  const books = new Map<string, { ask: Map<string, string>; bid: Map<string, string> }>();
  const last = new Map<string, string>();
  const out: string[] = [];
  for (const text of fixture.frames) {
    const frame = JSON.parse(text) as [number, unknown, unknown[][]];
    const pair = ids.get(frame[0]);
    if (pair === undefined || frame[0] === 1002) continue;
    for (const item of frame[2]) {
      if (item[0] === 'i') {
        const [asks, bids] = (item[1] as { orderBook: Record<string, string>[] }).orderBook as [Record<string, string>, Record<string, string>];
        books.set(pair, { ask: new Map(Object.entries(asks)), bid: new Map(Object.entries(bids)) });
      } else if (item[0] === 'o') {
        const side = books.get(pair)?.[item[1] === 1 ? 'bid' : 'ask'];
        if (Number(item[3]) === 0) side?.delete(item[2] as string);
        else side?.set(item[2] as string, item[3] as string);
      }
    }
    const book = books.get(pair);
    if (book === undefined) continue;
    const best = (side: Map<string, string>, sign: number) => [...side].sort((a, b) => sign * (Number(a[0]) - Number(b[0])))[0];
    const ask = best(book.ask, 1);
    const bid = best(book.bid, -1);
    const spread = ask && bid ? (Number(ask[0]) - Number(bid[0])).toFixed(8) : '-';
    const line = `TOP ${pair} bid=${bid ? `${bid[0]}@${bid[1]}` : '-'} ask=${ask ? `${ask[0]}@${ask[1]}` : '-'} spread=${spread}`;
    if (last.get(pair) !== line) out.push(line);
    last.set(pair, line);
  }
  return out;
}

describe('output options', () => {
  it('--format json prints one parseable object per text line, with the same values', async () => {
    const text = untimed((await run([])).stdout);
    const result = await run(['--format', 'json']);
    expect(result.code).toBe(0);
    const objects = result.stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, string>);
    expect(objects).toHaveLength(text.length);
    for (const o of objects) {
      expect(o.ts).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(Object.keys(o), o.type).toEqual(JSON_FIELDS[o.type as keyof typeof JSON_FIELDS]);
    }
    expect(objects[0]).toMatchObject({ type: 'book', pair: 'BTC_ETH', side: 'ask', price: '0.02100000', size: '12.50000000' });
    expect(objects.find((o) => o.type === 'remove')).toMatchObject({ pair: 'BTC_ETH', side: 'ask', price: '0.02100000' });
    expect(objects.find((o) => o.type === 'trade')).toMatchObject({ pair: 'USDT_BTC', tradeId: '42810442', side: 'bid', price: '9001.00000000', size: '0.50000000', timestamp: '1580000000' });
    expect(objects.find((o) => o.type === 'ticker')).toMatchObject({ pair: 'BTC_ETH', last: '0.02100000', isFrozen: '0' });
    expect(objects.filter((o) => o.size === '403171621.65163677')).toHaveLength(1);
  });

  it('--timestamp local, utc, epoch-ms and none change only the stamp', async () => {
    const at = Date.UTC(2026, 10, 25, 10, 0, 0, 123);
    const local = new Date(at - new Date(at).getTimezoneOffset() * 60_000).toISOString().replace('T', ' ').slice(0, 23);
    const none = (await run(['--timestamp', 'none'], 'close', 4, { now: () => at })).stdout;
    expect(withoutTickers(none.trimEnd().split('\n'))).toEqual(referenceLines);
    const stamped = (prefix: string): string => none.replace(/^/gm, prefix).slice(0, -prefix.length);
    expect((await run([], 'close', 4, { now: () => at })).stdout).toBe(stamped(`${local} `));
    expect((await run(['--timestamp', 'local'], 'close', 4, { now: () => at })).stdout).toBe(stamped(`${local} `));
    expect((await run(['--timestamp', 'utc'], 'close', 4, { now: () => at })).stdout).toBe(stamped('2026-11-25 10:00:00.123 '));
    expect((await run(['--timestamp', 'epoch-ms'], 'close', 4, { now: () => at })).stdout).toBe(stamped(`${at} `));
  });

  it('--top prints best bid/ask changes that agree with an independently rebuilt book', async () => {
    const result = await run(['--top', '--timestamp', 'none']);
    expect(result.code).toBe(0);
    const tops = result.stdout.trimEnd().split('\n').filter((line) => line.startsWith('TOP '));
    expect(tops).toEqual(expectedTops());
    expect(withoutTickers(result.stdout.trimEnd().split('\n').filter((line) => !line.startsWith('TOP ')))).toEqual(referenceLines);
  });

  it('--channels trades subscribes the pair channels alone and prints only trades', async () => {
    const result = await run(['--channels', 'trades', '--timestamp', 'none'], 'close', 3);
    expect(result.code).toBe(0);
    expect(result.stdout.trimEnd().split('\n')).toEqual(referenceLines.filter((line) => line.startsWith('TRADE ')));
    expect(server?.commands).not.toContainEqual({ command: 'subscribe', channel: 1002 });
  });

  it('--channels ticker subscribes the ticker channel alone and prints every ticker line', async () => {
    const tickers = (await allLines()).filter((line) => line.startsWith('TICKER UPDATE '));
    expect(tickers).toHaveLength(3);
    await server?.close();
    server = await startScriptedServer({ tickerMap: fixture.tickerMap, steps: fixture.frames, subscriptions: 1 });
    const result = await runInProcess(['--api', 'legacy', '--rest-url', server.url, '--ws-url', server.wsUrl, '--max-reconnects', '0', '--channels', 'ticker']);
    expect(result.code).toBe(0);
    expect(server.commands).toEqual([{ command: 'subscribe', channel: 1002 }]);
    expect(untimed(result.stdout)).toEqual(tickers);
  });

  it('refuses --top without the book channel, and unknown channels, with status 2', async () => {
    for (const args of [['--top', '--channels', 'ticker'], ['--channels', 'candles']]) {
      const result = await runInProcess(['--rest-url', 'http://127.0.0.1:1', ...args]);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toMatch(/^polo-ws: error: /);
    }
  });

  it('--max-lines prints exactly the first n lines and exits 0', async () => {
    const all = await allLines();
    const result = await run(['--max-lines', '7'], 'stay-open');
    expect(result.code).toBe(0);
    expect(untimed(result.stdout)).toEqual(all.slice(0, 7));
    expect(result.stderr).toBe('');
  });

  it('--duration stops a stream that would run on, with status 0', async () => {
    const result = await run(['--duration', '1'], 'stay-open');
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(withoutTickers(untimed(result.stdout))).toEqual(referenceLines);
  });
});
