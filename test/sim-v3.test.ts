import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseFault } from '../src/sim/index.js';
import { simulatorFixture } from './helpers/sim-fixture.js';
import { sleep, within, type Received } from './helpers/sim-client.js';
import { shapeOf, v3BookItems, v3Market, windowStats, type V3Json } from './helpers/sim-v3-client.js';

/** A v3 price: a decimal string without a fixed scale (no trailing zeros, no exponent). */
const NUMBER = /^-?(0|[1-9]\d*)(\.\d*[1-9])?$/;
/** A v3 quantity: a plain decimal of at most 8 places, trailing zeros allowed. */
const QUANTITY = /^(0|[1-9]\d*)(\.\d{1,8})?$/;

/** One message of each kind as the real exchange shapes it. */
const REAL = (JSON.parse(readFileSync(new URL('./fixtures/v3-real-shapes.json', import.meta.url), 'utf8')) as { messages: Record<string, V3Json> }).messages;

const { simulator, connect, runToClose } = simulatorFixture({ api: 'v3' });

const subscribe = (channel: string[], symbols: string[]): unknown => ({ event: 'subscribe', channel, symbols });
const json = (frames: readonly Received[]): Array<V3Json | undefined> => frames.map((f) => f.json as V3Json | undefined);
const units = (text: string): bigint => BigInt(text.replace('.', '')) * 10n ** BigInt(16 - (text.split('.')[1]?.length ?? 0));
const levelsOf = (item: Record<string, unknown>): string[][] => [...(item.asks as string[][]), ...(item.bids as string[][])];

describe('v3 REST', () => {
  it('lists BASE_QUOTE symbols with scales and states in /markets, and 24-hour tickers in /markets/ticker24h', async () => {
    const sim = await simulator({ pairs: 10 });
    expect(sim.api).toBe('v3');
    expect(sim.wsUrl).toBe(`ws://127.0.0.1:${sim.port}/ws/public`);
    const markets = (await (await fetch(`${sim.restUrl}/markets`)).json()) as Array<{
      symbol: string; baseCurrencyName: string; quoteCurrencyName: string; displayName: string; state: string;
      visibleStartTime: unknown; symbolTradeLimit: { priceScale: number; quantityScale: number }; crossMargin: { supportCrossMargin: unknown };
    }>;
    expect(markets).toHaveLength(10);
    expect(markets.map((m) => m.symbol).slice(0, 3)).toEqual(['ETH_BTC', 'BTC_USDT', 'DOGE_BTC']);
    for (const m of markets) {
      expect(m.symbol).toBe(`${m.baseCurrencyName}_${m.quoteCurrencyName}`);
      expect(m.displayName).toBe(`${m.baseCurrencyName}/${m.quoteCurrencyName}`);
      expect(m.symbolTradeLimit).toMatchObject({ symbol: m.symbol, highestBid: '0', lowestAsk: '0' });
      expect(m.symbolTradeLimit.priceScale).toBeGreaterThanOrEqual(0);
      expect([...Array(9).keys()]).toContain(m.symbolTradeLimit.quantityScale);
      expect(typeof m.crossMargin.supportCrossMargin).toBe('boolean');
      expect(typeof m.visibleStartTime).toBe('number');
    }
    expect(new Set(markets.map((m) => m.state))).toEqual(new Set(['NORMAL', 'PAUSE', 'POST_ONLY']));
    // Sizes run from fractions of a BTC to millions of DOGE: their grids differ as on the exchange.
    expect(markets.find((m) => m.symbol === 'BTC_USDT')?.symbolTradeLimit.quantityScale).toBe(6);
    expect(markets.find((m) => m.symbol === 'DOGE_BTC')?.symbolTradeLimit.quantityScale).toBe(0);
    const tickers = (await (await fetch(`${sim.restUrl}/markets/ticker24h`)).json()) as Array<Record<string, unknown>>;
    expect(tickers.map((t) => t.symbol)).toEqual(markets.map((m) => m.symbol));
    for (const t of tickers) {
      for (const field of ['open', 'low', 'high', 'close', 'quantity', 'amount', 'dailyChange', 'bid', 'bidQuantity', 'ask', 'askQuantity', 'markPrice']) {
        expect(t[field], field).toMatch(NUMBER);
      }
      for (const field of ['tradeCount', 'startTime', 'closeTime', 'ts']) expect(typeof t[field], field).toBe('number');
      expect(Number(t.bid)).toBeLessThan(Number(t.ask));
    }
    expect((await fetch(`${sim.restUrl}/public?command=returnTicker`)).status).toBe(404);
  });

  it('answers the first requests with the rest-fail status', async () => {
    const sim = await simulator({ pairs: 2, faults: [parseFault('rest-fail:1:503')] });
    const statuses = [(await fetch(`${sim.restUrl}/markets`)).status, (await fetch(`${sim.restUrl}/markets`)).status];
    expect(statuses).toEqual([503, 200]);
  });
});

describe('v3 commands', () => {
  it('acks each channel with the accepted symbols, names an invalid symbol, and snapshots book_lv2 at once', async () => {
    const sim = await simulator({ pairs: 4, rate: 1 });
    const client = await connect(sim, [subscribe(['ticker', 'book_lv2'], ['BTC_USDT', 'XXX_YYY', 'ETH_BTC']), { event: 'ping' }, { event: 'dance' }, 'nope']);
    await client.until((fs) => fs.length >= 8, 2000, 'replies');
    expect(json(client.frames.slice(0, 8)).map((m) => m?.event ?? `${m?.action}:${m?.data?.[0]?.symbol}`)).toEqual([
      'error', 'subscribe', 'subscribe', 'snapshot:BTC_USDT', 'snapshot:ETH_BTC', 'pong', 'error', 'error',
    ]);
    expect(client.frames[0]!.json).toEqual({ event: 'error', message: 'Invalid symbol: XXX_YYY' });
    expect(client.frames[1]!.text).toBe('{"event":"subscribe","channel":"ticker","symbols":["BTC_USDT","ETH_BTC"]}');
    expect(client.frames[2]!.text).toBe('{"event":"subscribe","channel":"book_lv2","symbols":["BTC_USDT","ETH_BTC"]}');
    expect(client.frames[5]!.text).toBe('{"event":"pong"}');
    const snapshot = json(client.frames)[3]!.data![0]!;
    expect(Object.keys(snapshot)).toEqual(['symbol', 'createTime', 'asks', 'bids', 'lastId', 'id', 'ts']);
    const [asks, bids] = [snapshot.asks as string[][], snapshot.bids as string[][]];
    expect(asks.map((l) => Number(l[0]))).toEqual(asks.map((l) => Number(l[0])).sort((a, b) => a - b));
    expect(bids.map((l) => Number(l[0]))).toEqual(bids.map((l) => Number(l[0])).sort((a, b) => b - a));
    expect(Number(bids[0]![0])).toBeLessThan(Number(asks[0]![0]));
  });

  it('sends nothing before a subscribe, pongs a ping, and drops a client silent for idleTimeoutMs', async () => {
    const sim = await simulator({ pairs: 3, idleTimeoutMs: 200 });
    const client = await connect(sim);
    for (let i = 0; i < 6; i++) {
      await sleep(70);
      client.send({ event: 'ping' });
    }
    await client.until((fs) => fs.length === 6, 1000, 'six pongs');
    expect(new Set(client.frames.map((f) => f.text))).toEqual(new Set(['{"event":"pong"}']));
    const quietSince = performance.now();
    expect(await within(client.closed, 1000, 'idle drop')).toBe(1006);
    expect(performance.now() - quietSince).toBeGreaterThanOrEqual(120);
    expect(client.frames).toHaveLength(6);
  });
});

describe('v3 stream', () => {
  it('sends one data item per message and chains each symbol’s ids by exactly one from its snapshot', async () => {
    const options = { seed: 4, pairs: 4, rate: 0, frames: 600 };
    const commands = [subscribe(['book_lv2', 'trades', 'ticker'], ['ETH_BTC', 'BTC_USDT', 'DOGE_BTC', 'XRP_BTC'])];
    const { frames, code } = await runToClose(await simulator(options), commands);
    expect(code).toBe(1000);
    const market = v3Market(frames);
    expect(market).toHaveLength(600);
    expect(new Set(market.map((m) => m.channel))).toEqual(new Set(['book_lv2', 'trades', 'ticker']));
    expect(json(frames).filter((m) => m?.data !== undefined).every((m) => m?.data?.length === 1)).toBe(true);
    for (const list of v3BookItems(frames).values()) {
      expect(list[0]!.action).toBe('snapshot');
      for (let i = 1; i < list.length; i++) {
        expect(list[i]!.action).toBe('update');
        expect(list[i]!.item.lastId).toBe(list[i - 1]!.item.id);
        expect(list[i]!.item.id).toBe((list[i]!.item.lastId as number) + 1);
      }
    }
    const again = await runToClose(await simulator(options), commands);
    expect(again.frames.map((f) => f.text)).toEqual(frames.map((f) => f.text));
  });

  it('shows each deep book as a 20-level window: levels enter it from below and leave it, and no rebuilt book passes 20', async () => {
    const sim = await simulator({ seed: 2, pairs: 4, rate: 0, frames: 1500 });
    const { frames } = await runToClose(sim, [subscribe(['book_lv2'], ['ETH_BTC', 'BTC_USDT', 'DOGE_BTC'])]);
    const books = v3BookItems(frames);
    for (const symbol of ['ETH_BTC', 'BTC_USDT']) {
      const [snapshot] = books.get(symbol)!;
      expect([(snapshot!.item.asks as unknown[]).length, (snapshot!.item.bids as unknown[]).length]).toEqual([20, 20]);
      const stats = windowStats(books.get(symbol)!);
      expect(stats.deepest, symbol).toBe(20);
      expect(stats.enteredFromBelow, symbol).toBeGreaterThan(5);
      expect(stats.leftAtBottom, symbol).toBeGreaterThan(5);
    }
    // A book of fewer levels than the window shows them all.
    const doge = books.get('DOGE_BTC')![0]!.item;
    expect((doge.asks as unknown[]).length).toBeLessThan(20);
    expect(windowStats(books.get('DOGE_BTC')!).deepest).toBeLessThan(20);
    // Events below a window send nothing: every update changes at least one level.
    expect([...books.values()].flat().every(({ item }) => levelsOf(item).length > 0)).toBe(true);
  });

  it('writes prices trimmed and about a quarter of quantities with trailing zeros, trade amounts exact', async () => {
    const sim = await simulator({ pairs: 4, rate: 0, frames: 1500 });
    const markets = (await (await fetch(`${sim.restUrl}/markets`)).json()) as Array<{ symbol: string; symbolTradeLimit: { priceScale: number } }>;
    const scale = new Map(markets.map((m) => [m.symbol, m.symbolTradeLimit.priceScale]));
    const { frames } = await runToClose(sim, [subscribe(['book_lv2', 'trades', 'ticker'], ['all', 'ETH_BTC', 'BTC_USDT', 'DOGE_BTC', 'XRP_BTC'])]);
    const books = [...v3BookItems(frames).values()].flat().map(({ item }) => item);
    const levels = books.flatMap((item) => levelsOf(item).map(([price, quantity]) => ({ symbol: item.symbol as string, price: price!, quantity: quantity! })));
    for (const { symbol, price, quantity } of levels) {
      expect(price).toMatch(NUMBER);
      expect(price.split('.')[1]?.length ?? 0).toBeLessThanOrEqual(scale.get(symbol)!);
      expect(quantity).toMatch(QUANTITY);
      if (Number(quantity) === 0) expect(quantity).toBe('0');
    }
    const sizes = levels.map((l) => l.quantity).filter((q) => q !== '0');
    const padded = sizes.filter((q) => !NUMBER.test(q));
    expect(padded.length / sizes.length).toBeGreaterThan(0.15);
    expect(padded.length / sizes.length).toBeLessThan(0.35);
    const trades = v3Market(frames).filter((m) => m.channel === 'trades').flatMap((m) => m.data!);
    expect(trades.some((t) => !NUMBER.test(t.quantity as string))).toBe(true);
    for (const t of trades) {
      expect(t.quantity).toMatch(QUANTITY);
      expect(units(t.amount as string)).toBe((units(t.price as string) * units(t.quantity as string)) / 10n ** 16n);
      expect(['buy', 'sell']).toContain(t.takerSide);
      expect(typeof t.id).toBe('string');
    }
    const tickers = v3Market(frames).filter((m) => m.channel === 'ticker').flatMap((m) => m.data!);
    expect(tickers.every((t) => NUMBER.test(t.close as string) && NUMBER.test(t.dailyChange as string))).toBe(true);
  });

  it('sends messages of the same keys, key order and value types as the real exchange', async () => {
    const sim = await simulator({ pairs: 4, rate: 0, frames: 400 });
    const client = await connect(sim, [subscribe(['book_lv2'], ['BTC_USDT']), subscribe(['trades', 'ticker'], ['BTC_USDT']), { event: 'ping' }, subscribe(['book_lv2'], ['NOPE_USDT'])]);
    expect(await within(client.closed, 5000, 'close after 400 frames')).toBe(1000);
    const sent = json(client.frames);
    const first = (found: (m: V3Json) => boolean): V3Json | undefined => sent.find((m) => m !== undefined && found(m));
    const mine: Record<string, V3Json | undefined> = {
      subscribeAck: first((m) => m.event === 'subscribe' && m.channel === 'book_lv2'),
      bookSnapshot: first((m) => m.action === 'snapshot'),
      // The real update shown moves asks only, so compare with one of those.
      bookUpdate: first((m) => m.action === 'update' && (m.data![0]!.asks as unknown[]).length > 0 && (m.data![0]!.bids as unknown[]).length === 0),
      trade: first((m) => m.channel === 'trades' && m.data !== undefined),
      ticker: first((m) => m.channel === 'ticker' && m.data !== undefined),
      pong: first((m) => m.event === 'pong'),
      error: first((m) => m.event === 'error'),
    };
    expect(Object.keys(mine).sort()).toEqual(Object.keys(REAL).sort());
    for (const [kind, real] of Object.entries(REAL)) expect(shapeOf(mine[kind]), kind).toEqual(shapeOf(real));
    const snapshot = mine.bookSnapshot!.data![0]!;
    expect([(snapshot.asks as unknown[]).length, (snapshot.bids as unknown[]).length]).toEqual([20, 20]);
  });

  it('sends a fresh snapshot with a later id when a symbol is subscribed again', async () => {
    const sim = await simulator({ pairs: 3, rate: 500 });
    const client = await connect(sim, [subscribe(['book_lv2'], ['ETH_BTC', 'BTC_USDT'])]);
    const ofEth = (fs: readonly Received[]) => v3BookItems(fs).get('ETH_BTC') ?? [];
    await client.until((fs) => ofEth(fs).length >= 5, 3000, 'ETH_BTC updates');
    client.send({ event: 'unsubscribe', channel: ['book_lv2'], symbols: ['ETH_BTC'] });
    await client.until((fs) => fs.some((f) => f.text === '{"event":"unsubscribe","channel":"book_lv2","symbols":["ETH_BTC"]}'), 2000, 'unsubscribe ack');
    const lastSeen = ofEth(client.frames).at(-1)!.item.id as number;
    const ethSoFar = ofEth(client.frames).length;
    const usdt = (fs: readonly Received[]) => v3BookItems(fs).get('BTC_USDT')?.length ?? 0;
    const usdtSoFar = usdt(client.frames);
    await client.until((fs) => usdt(fs) >= usdtSoFar + 30, 3000, 'BTC_USDT updates');
    expect(ofEth(client.frames)).toHaveLength(ethSoFar);
    client.send(subscribe(['book_lv2'], ['ETH_BTC']));
    await client.until((fs) => ofEth(fs).length >= ethSoFar + 2, 3000, 'resubscribed ETH_BTC');
    const [fresh, next] = ofEth(client.frames).slice(ethSoFar);
    expect(fresh!.action).toBe('snapshot');
    expect(fresh!.item.id).toBeGreaterThan(lastSeen);
    expect(next!.item.lastId).toBe(fresh!.item.id);
  });
});
