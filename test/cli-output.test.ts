import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli, untimed } from './helpers/run-cli.js';
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

async function run(extra: string[], end: 'close' | 'stay-open' = 'close', subscriptions = 4) {
  server = await startScriptedServer({ tickerMap: fixture.tickerMap, steps: fixture.frames, subscriptions, end });
  return runCli(['--api', 'legacy', '--rest-url', server.url, '--ws-url', server.wsUrl, '--max-reconnects', '0', ...extra]);
}

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
    for (const o of objects) expect(o.ts).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(objects[0]).toMatchObject({ type: 'book', pair: 'BTC_ETH', side: 'ask', price: '0.02100000', size: '12.50000000' });
    expect(objects.find((o) => o.type === 'remove')).toMatchObject({ pair: 'BTC_ETH', side: 'ask', price: '0.02100000' });
    expect(objects.find((o) => o.type === 'trade')).toMatchObject({ pair: 'USDT_BTC', tradeId: '42810442', side: 'bid', price: '9001.00000000', size: '0.50000000', timestamp: '1580000000' });
    expect(objects.find((o) => o.type === 'ticker')).toMatchObject({ pair: 'BTC_ETH', last: '0.02100000', isFrozen: '0' });
    expect(objects.filter((o) => o.size === '403171621.65163677')).toHaveLength(1);
  });

  it('--timestamp utc, epoch-ms and none change only the stamp', async () => {
    const utc = await run(['--timestamp', 'utc']);
    expect(withoutTickers(untimed(utc.stdout))).toEqual(referenceLines);
    const epoch = (await run(['--timestamp', 'epoch-ms'])).stdout.trimEnd().split('\n');
    expect(epoch.every((line) => /^\d{13} /.test(line))).toBe(true);
    const none = (await run(['--timestamp', 'none'])).stdout.trimEnd().split('\n');
    expect(withoutTickers(none)).toEqual(referenceLines);
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

  it('--channels ticker subscribes the ticker channel alone', async () => {
    server = await startScriptedServer({ tickerMap: fixture.tickerMap, steps: fixture.frames, subscriptions: 1 });
    const result = await runCli(['--api', 'legacy', '--rest-url', server.url, '--ws-url', server.wsUrl, '--max-reconnects', '0', '--channels', 'ticker']);
    expect(result.code).toBe(0);
    expect(server.commands).toEqual([{ command: 'subscribe', channel: 1002 }]);
    expect(untimed(result.stdout).every((line) => line.startsWith('TICKER UPDATE '))).toBe(true);
  });

  it('refuses --top without the book channel, and unknown channels, with status 2', async () => {
    for (const args of [['--top', '--channels', 'ticker'], ['--channels', 'candles']]) {
      const result = await runCli(['--rest-url', 'http://127.0.0.1:1', ...args]);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toMatch(/^polo-ws: error: /);
    }
  });

  it('--max-lines prints exactly that many lines and exits 0', async () => {
    const result = await run(['--max-lines', '7'], 'stay-open');
    expect(result.code).toBe(0);
    expect(untimed(result.stdout)).toEqual(referenceLines.slice(0, 6).concat(untimed(result.stdout)[6] as string));
    expect(untimed(result.stdout)).toHaveLength(7);
    expect(result.stderr).toBe('');
  });

  it('--duration stops a stream that would run on, with status 0', async () => {
    const result = await run(['--duration', '1'], 'stay-open');
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(withoutTickers(untimed(result.stdout))).toEqual(referenceLines);
  });
});
