import { describe, expect, it } from 'vitest';
import { parseFault, type SimServer } from '../src/sim/index.js';
import { simulatorFixture } from './helpers/sim-fixture.js';
import { Collector, V3ReferenceClient, sleep, v3BookItems, v3Market, within, type Received, type V3Json } from './helpers/sim-client.js';

/** A v3 number: a decimal string without a fixed scale (no trailing zeros, no exponent). */
const NUMBER = /^-?(0|[1-9]\d*)(\.\d*[1-9])?$/;

const { simulator, clients } = simulatorFixture({ api: 'v3' });

async function connect(sim: SimServer, commands: readonly unknown[] = []): Promise<Collector> {
  const client = new Collector(sim.wsUrl);
  clients.push(client);
  await client.opened();
  for (const command of commands) client.send(command);
  return client;
}

/** Opens a collector that sends `commands` at once, then waits for the server to close it. */
async function runToClose(sim: SimServer, commands: readonly unknown[]): Promise<{ frames: Received[]; code: number }> {
  const client = await connect(sim, commands);
  const code = await within(client.closed, 5000, 'server close');
  return { frames: client.frames, code };
}

const subscribe = (channel: string[], symbols: string[]): unknown => ({ event: 'subscribe', channel, symbols });
const json = (frames: readonly Received[]): Array<V3Json | undefined> => frames.map((f) => f.json as V3Json | undefined);
const units = (text: string): bigint => BigInt(text.replace('.', '')) * 10n ** BigInt(16 - (text.split('.')[1]?.length ?? 0));

describe('v3 REST', () => {
  it('lists BASE_QUOTE symbols with scales and states in /markets, and 24-hour tickers in /markets/ticker24h', async () => {
    const sim = await simulator({ pairs: 10 });
    expect(sim.api).toBe('v3');
    expect(sim.wsUrl).toBe(`ws://127.0.0.1:${sim.port}/ws/public`);
    const markets = (await (await fetch(`${sim.restUrl}/markets`)).json()) as Array<{
      symbol: string; baseCurrencyName: string; quoteCurrencyName: string; displayName: string; state: string;
      visibleStartTime: unknown; symbolTradeLimit: { priceScale: number }; crossMargin: { supportCrossMargin: unknown };
    }>;
    expect(markets).toHaveLength(10);
    expect(markets.map((m) => m.symbol).slice(0, 3)).toEqual(['ETH_BTC', 'BTC_USDT', 'DOGE_BTC']);
    for (const m of markets) {
      expect(m.symbol).toBe(`${m.baseCurrencyName}_${m.quoteCurrencyName}`);
      expect(m.displayName).toBe(`${m.baseCurrencyName}/${m.quoteCurrencyName}`);
      expect(m.symbolTradeLimit).toMatchObject({ symbol: m.symbol, quantityScale: 8, highestBid: '0', lowestAsk: '0' });
      expect(m.symbolTradeLimit.priceScale).toBeGreaterThanOrEqual(0);
      expect(typeof m.crossMargin.supportCrossMargin).toBe('boolean');
      expect(typeof m.visibleStartTime).toBe('number');
    }
    expect(new Set(markets.map((m) => m.state))).toEqual(new Set(['NORMAL', 'PAUSE', 'POST_ONLY']));
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
  it('chains each symbol’s ids from its snapshot, lastId to id, in random steps of 1 to 3', async () => {
    const options = { seed: 4, pairs: 4, rate: 0, frames: 600 };
    const commands = [subscribe(['book_lv2', 'trades', 'ticker'], ['ETH_BTC', 'BTC_USDT', 'DOGE_BTC', 'XRP_BTC'])];
    const { frames, code } = await runToClose(await simulator(options), commands);
    expect(code).toBe(1000);
    expect(v3Market(frames)).toHaveLength(600);
    const steps = new Set<number>();
    for (const list of v3BookItems(frames).values()) {
      expect(list[0]!.action).toBe('snapshot');
      for (let i = 1; i < list.length; i++) {
        expect(list[i]!.action).toBe('update');
        expect(list[i]!.item.lastId).toBe(list[i - 1]!.item.id);
        steps.add((list[i]!.item.id as number) - (list[i]!.item.lastId as number));
      }
    }
    expect(steps).toEqual(new Set([1, 2, 3]));
    const again = await runToClose(await simulator(options), commands);
    expect(again.frames.map((f) => f.text)).toEqual(frames.map((f) => f.text));
  });

  it('puts several items in some messages, keeps numbers exact and unpadded, and sends trades with the book change they cause', async () => {
    const sim = await simulator({ pairs: 4, rate: 0, frames: 1500 });
    const markets = (await (await fetch(`${sim.restUrl}/markets`)).json()) as Array<{ symbol: string; symbolTradeLimit: { priceScale: number } }>;
    const scale = new Map(markets.map((m) => [m.symbol, m.symbolTradeLimit.priceScale]));
    const { frames } = await runToClose(sim, [subscribe(['book_lv2', 'trades', 'ticker'], ['all', 'ETH_BTC', 'BTC_USDT', 'DOGE_BTC', 'XRP_BTC'])]);
    const market = v3Market(frames);
    const updates = market.filter((m) => m.channel === 'book_lv2');
    expect(updates.some((m) => new Set(m.data!.map((d) => d.symbol)).size > 1)).toBe(true);
    expect(updates.some((m) => m.data!.length > 1 && m.data!.every((d) => d.symbol === m.data![0]!.symbol))).toBe(true);
    expect(updates.every((m) => m.data!.every((d) => JSON.stringify(d).indexOf('"asks"') < JSON.stringify(d).indexOf('"bids"')))).toBe(true);
    const trades = market.filter((m) => m.channel === 'trades');
    expect(trades.some((m) => m.data!.length > 1)).toBe(true);
    for (const t of trades.flatMap((m) => m.data!)) {
      expect(units(t.amount as string)).toBe((units(t.price as string) * units(t.quantity as string)) / 10n ** 16n);
      expect(['buy', 'sell']).toContain(t.takerSide);
      expect(typeof t.id).toBe('string');
    }
    const prices = updates.flatMap((m) => m.data!.flatMap((d) => [...(d.asks as string[][]), ...(d.bids as string[][])].map((l) => [d.symbol as string, l[0]!, l[1]!])));
    for (const [symbol, price, quantity] of prices) {
      expect(price).toMatch(NUMBER);
      expect(quantity).toMatch(NUMBER);
      expect(price!.split('.')[1]?.length ?? 0).toBeLessThanOrEqual(scale.get(symbol!)!);
    }
    expect(prices.some(([, , q]) => q === '0')).toBe(true);
    expect(prices.some(([, , q]) => String(Number(q)) !== q)).toBe(true);
    expect(market.filter((m) => m.channel === 'ticker').flatMap((m) => m.data!).every((t) => NUMBER.test(t.close as string) && NUMBER.test(t.dailyChange as string))).toBe(true);
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

describe('v3 faults', () => {
  it('breaks one symbol’s id chain exactly once at a gap', async () => {
    const sim = await simulator({ pairs: 4, rate: 0, frames: 200, faults: [parseFault('gap@30:BTC_USDT')] });
    const { frames } = await runToClose(sim, [subscribe(['book_lv2'], ['ETH_BTC', 'BTC_USDT', 'DOGE_BTC', 'XRP_BTC'])]);
    const breaks = [...v3BookItems(frames)].flatMap(([symbol, list]) =>
      list.slice(1).flatMap(({ item }, i) => (item.lastId === list[i]!.item.id ? [] : [{ symbol, ahead: (item.lastId as number) > (list[i]!.item.id as number) }])));
    expect(breaks).toEqual([{ symbol: 'BTC_USDT', ahead: true }]);
  });

  it('cuts once, then the next connection streams to its normal close', async () => {
    const sim = await simulator({ pairs: 3, rate: 0, frames: 30, faults: [parseFault('cut@10')] });
    const commands = [subscribe(['ticker', 'trades'], ['all'])];
    const cut = await runToClose(sim, commands);
    expect([cut.code, v3Market(cut.frames).length]).toEqual([1006, 10]);
    const next = await runToClose(sim, commands);
    expect([next.code, v3Market(next.frames).length]).toEqual([1000, 30]);
  });

  it('goes silent, pongs included, for the given time, then resumes with the id chain intact', async () => {
    // With this seed the silence falls inside a batch of messages, so the rest of it waits too.
    const sim = await simulator({ pairs: 3, rate: 0, frames: 60, faults: [parseFault('silence@8:250')] });
    const client = await connect(sim, [subscribe(['book_lv2', 'trades', 'ticker'], ['ETH_BTC', 'BTC_USDT', 'DOGE_BTC'])]);
    await client.until((fs) => v3Market(fs).length >= 8, 2000, 'eight market messages');
    client.send({ event: 'ping' });
    expect(await within(client.closed, 3000, 'close after 60 frames')).toBe(1000);
    const marketFrames = client.frames.filter((f) => { const m = f.json as V3Json; return m.event === undefined && m.action !== 'snapshot'; });
    expect(marketFrames).toHaveLength(60);
    const after = client.frames.indexOf(marketFrames[7]!) + 1;
    expect(client.frames[after]!.at - marketFrames[7]!.at).toBeGreaterThanOrEqual(230);
    expect(client.frames.findIndex((f) => f.text === '{"event":"pong"}')).toBeGreaterThanOrEqual(after);
    for (const list of v3BookItems(client.frames).values()) list.slice(1).forEach(({ item }, i) => expect(item.lastId).toBe(list[i]!.item.id));
  });

  it('predicts what a correct client prints through a gap, a duplicate, malformed and unknown-symbol messages', async () => {
    const faults = ['gap@20:ETH_BTC', 'duplicate@30', 'malformed@40', 'unknown-pair@50'].map(parseFault);
    const sim = await simulator({ seed: 3, pairs: 3, depth: 6, rate: 1000, frames: 200, faults });
    const markets = (await (await fetch(`${sim.restUrl}/markets`)).json()) as Array<{ symbol: string; state: string }>;
    // Resubscribing a while after the gap leaves time for tickers without a trusted book.
    const client = new V3ReferenceClient(sim.wsUrl, new Map(markets.map((m) => [m.symbol, m.state])), [1, 3], 100);
    clients.push(client);
    await client.opened();
    client.send(subscribe(['ticker'], ['all']));
    client.send(subscribe(['trades', 'book_lv2'], ['ETH_BTC', 'BTC_USDT', 'DOGE_BTC']));
    expect(await within(client.closed, 5000, 'close after 200 frames')).toBe(1000);

    const snapshots = json(client.frames).filter((m) => m?.action === 'snapshot').map((m) => m!.data![0]!.symbol);
    expect(snapshots.filter((s) => s === 'ETH_BTC')).toHaveLength(2);
    const updates = client.frames.filter((f) => (f.json as V3Json | undefined)?.action === 'update').map((f) => f.text);
    expect(updates.length - new Set(updates).size).toBe(1);
    expect(client.frames.some((f) => f.json === undefined)).toBe(true);
    expect(client.frames.some((f) => f.text.includes('NEWCOIN_USDT'))).toBe(true);
    const log = sim.connections()[0]!;
    const lines = log.expectedLines();
    expect(lines).toEqual(client.lines.get(1));
    expect(log.expectedLines(3)).toEqual(client.lines.get(3));
    expect(lines.some((l) => /^TICKER UPDATE ETH_BTC=[\d.]+\(last\),\(lowestAsk\),\(highestBid\)/.test(l))).toBe(true);
    expect(lines.some((l) => /^TICKER UPDATE ETH_BTC=[\d.]+\(last\),[\d.]+\(lowestAsk\),[\d.]+\(highestBid\)/.test(l))).toBe(true);
    expect(lines.some((l) => /^TICKER UPDATE DOGE_BTC=.*,1\(isFrozen\),/.test(l))).toBe(true);
    expect(lines.some((l) => /^TRADE [A-Z]+_[A-Z]+=\d+\(tradeId\),(bid|ask)\(bookSide\),[\d.]+\(price\),[\d.]+\(size\),\d{13}\(timestamp\)$/.test(l))).toBe(true);
    expect(lines.some((l) => l.startsWith('Remove '))).toBe(true);
  });
});
