import { describe, expect, it } from 'vitest';
import { parseFault, startSimulator, type SimServer } from '../src/sim/index.js';
import { simulatorFixture } from './helpers/sim-fixture.js';
import { market, sleep, within, type Received } from './helpers/sim-client.js';
import { V3ReferenceClient, asV3, v3BookItems, v3Market, type V3Json } from './helpers/sim-v3-client.js';

const { simulator, clients, connect, runToClose } = simulatorFixture({ api: 'v3' });

const subscribe = (channel: string[], symbols: string[]): unknown => ({ event: 'subscribe', channel, symbols });
const json = (frames: readonly Received[]): Array<V3Json | undefined> => frames.map((f) => f.json as V3Json | undefined);

/** symbol -> /markets state, as a client reads them at start. */
async function marketStates(sim: SimServer): Promise<Map<string, string>> {
  const markets = (await (await fetch(`${sim.restUrl}/markets`)).json()) as Array<{ symbol: string; state: string }>;
  return new Map(markets.map((m) => [m.symbol, m.state]));
}

/** A reference client subscribed to every channel of `symbols`, with `delayMs` before each resubscribe step. */
async function referenceClient(sim: SimServer, symbols: string[], delayMs = 0): Promise<V3ReferenceClient> {
  const client = new V3ReferenceClient(sim.wsUrl, await marketStates(sim), [1], delayMs);
  clients.push(client);
  await client.opened();
  client.send(subscribe(['ticker', 'trades', 'book_lv2'], symbols));
  return client;
}

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
    // A silence after a trade message holds back the rest of its market event too.
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
    // Resubscribing a while after the gap leaves time for tickers without a trusted book.
    const client = new V3ReferenceClient(sim.wsUrl, await marketStates(sim), [1, 3], 100);
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

  it('refuses a resubscribe with "Already subscribed" alone, leaving the book silent until the client subscribes again', async () => {
    const sim = await simulator({ seed: 3, pairs: 3, rate: 1000, frames: 600, faults: ['gap@20:ETH_BTC', 'refuse-resubscribe'].map(parseFault) });
    const client = await referenceClient(sim, ['ETH_BTC', 'BTC_USDT', 'DOGE_BTC'], 40);
    expect(await within(client.closed, 5000, 'close after 600 frames')).toBe(1000);
    const texts = client.frames.map((f) => f.text);
    const refusal = texts.indexOf('{"event":"error","message":"Already subscribed"}');
    expect(refusal).toBeGreaterThan(0);
    expect(client.refusals).toBe(1);
    // Unsubscribed, refused, unsubscribed and subscribed again: one ack for ETH_BTC alone, after the retry.
    const unsubscribed = texts.flatMap((t, i) => (t === '{"event":"unsubscribe","channel":"book_lv2","symbols":["ETH_BTC"]}' ? [i] : []));
    const acked = texts.flatMap((t, i) => (t === '{"event":"subscribe","channel":"book_lv2","symbols":["ETH_BTC"]}' ? [i] : []));
    expect(unsubscribed).toHaveLength(2);
    expect(acked).toHaveLength(1);
    expect(unsubscribed[0]!).toBeLessThan(refusal);
    expect(refusal).toBeLessThan(unsubscribed[1]!);
    const ethBook = json(client.frames).flatMap((m, i) => (m?.channel === 'book_lv2' && m.data?.[0]?.symbol === 'ETH_BTC' ? [{ i, action: m.action }] : []));
    expect(ethBook.filter(({ i }) => i > unsubscribed[0]! && i < acked[0]!)).toEqual([]);
    expect(ethBook.find(({ i }) => i > acked[0]!)?.action).toBe('snapshot');
    expect(sim.connections()[0]!.expectedLines()).toEqual(client.lines.get(1));
  });

  it('stalls a connection’s data but not its socket: pongs and acks go on, no market message or snapshot; the next connection streams', async () => {
    const sim = await simulator({ pairs: 3, rate: 0, frames: 100, faults: [parseFault('data-stall@30')] });
    const client = await referenceClient(sim, ['ETH_BTC', 'BTC_USDT']);
    await client.until((fs) => v3Market(fs).length >= 30, 2000, 'thirty market messages');
    await sleep(100);
    expect(v3Market(client.frames)).toHaveLength(30);
    const before = client.frames.length;
    client.send({ event: 'ping' });
    client.send(subscribe(['book_lv2'], ['DOGE_BTC']));
    await client.until((fs) => fs.length >= before + 2, 1000, 'pong and ack');
    await sleep(100);
    expect(client.frames.slice(before).map((f) => f.text)).toEqual(['{"event":"pong"}', '{"event":"subscribe","channel":"book_lv2","symbols":["DOGE_BTC"]}']);
    const [stalled] = sim.connections();
    expect([stalled!.closeCode, stalled!.framesSent]).toEqual([undefined, 30]);
    expect(stalled!.expectedLines()).toEqual(client.lines.get(1));
    const next = await runToClose(sim, [subscribe(['ticker'], ['all'])]);
    expect([next.code, v3Market(next.frames).length]).toEqual([1000, 100]);
  });

  it('acks the subscribes of the first COUNT connections, then fails them with "Subscription failed" and code 1001', async () => {
    const sim = await simulator({ pairs: 3, rate: 0, frames: 50, faults: [parseFault('close-after-ack:1')] });
    const commands = [subscribe(['ticker'], ['ETH_BTC']), subscribe(['trades'], ['ETH_BTC']), subscribe(['book_lv2'], ['ETH_BTC', 'BTC_USDT'])];
    const failed = await runToClose(sim, commands);
    expect(failed.code).toBe(1001);
    expect(failed.frames.map((f) => f.text)).toEqual([
      '{"event":"subscribe","channel":"ticker","symbols":["ETH_BTC"]}',
      '{"event":"subscribe","channel":"trades","symbols":["ETH_BTC"]}',
      '{"event":"subscribe","channel":"book_lv2","symbols":["ETH_BTC","BTC_USDT"]}',
      '{"event":"error","message":"Subscription failed"}',
    ]);
    expect(sim.connections()[0]!.expectedLines()).toEqual([]);
    const next = await runToClose(sim, commands);
    expect([next.code, v3Market(next.frames).length]).toEqual([1000, 50]);
  });

  it('fails every connection when close-after-ack has no COUNT', async () => {
    const sim = await simulator({ pairs: 2, rate: 0, frames: 50, faults: [parseFault('close-after-ack')] });
    for (let i = 0; i < 3; i++) expect((await runToClose(sim, [subscribe(['ticker'], ['all'])])).code).toBe(1001);
  });

  it('lists the last pair late: missing from /markets and unsubscribable until MS, then streaming from a snapshot', async () => {
    const started = performance.now();
    const sim = await simulator({ pairs: 4, rate: 300, faults: [parseFault('new-listing:400')] });
    const listed = async (path: string): Promise<string[]> => ((await (await fetch(`${sim.restUrl}${path}`)).json()) as Array<{ symbol: string }>).map((m) => m.symbol);
    expect(await listed('/markets')).toEqual(['ETH_BTC', 'BTC_USDT', 'DOGE_BTC']);
    expect(await listed('/markets/ticker24h')).toEqual(['ETH_BTC', 'BTC_USDT', 'DOGE_BTC']);
    const client = await connect(sim, [subscribe(['book_lv2'], ['XRP_BTC']), subscribe(['ticker'], ['all'])]);
    await client.until((fs) => fs.some((f) => f.text === '{"event":"error","message":"Invalid symbol: XRP_BTC"}'), 1000, 'refusal');
    await sleep(Math.max(0, started + 450 - performance.now()));
    expect(await listed('/markets')).toEqual(['ETH_BTC', 'BTC_USDT', 'DOGE_BTC', 'XRP_BTC']);
    client.send(subscribe(['book_lv2'], ['XRP_BTC']));
    const ofXrp = (fs: readonly Received[]) => v3BookItems(fs).get('XRP_BTC') ?? [];
    await client.until((fs) => ofXrp(fs).length >= 3, 3000, 'XRP_BTC snapshot and updates');
    const [snapshot, ...updates] = ofXrp(client.frames);
    expect(snapshot!.action).toBe('snapshot');
    expect(updates[0]!.item.lastId).toBe(snapshot!.item.id);
    // Tickers for "all" include the pair only once it is listed.
    const xrpTickers = client.frames.filter((f) => asV3(f.json)?.channel === 'ticker' && asV3(f.json)?.data?.[0]?.symbol === 'XRP_BTC');
    expect(xrpTickers.every((f) => f.at >= started + 400)).toBe(true);
  });

  it('keeps a late pair trading while unlisted, so the other symbols stream exactly as without the fault', async () => {
    const commands = [subscribe(['book_lv2', 'trades', 'ticker'], ['ETH_BTC', 'BTC_USDT'])];
    const plain = await runToClose(await simulator({ seed: 5, pairs: 4, rate: 0, frames: 300 }), commands);
    const late = await runToClose(await simulator({ seed: 5, pairs: 4, rate: 0, frames: 300, faults: [parseFault('new-listing:60000')] }), commands);
    expect(late.frames.map((f) => f.text)).toEqual(plain.frames.map((f) => f.text));
  });
});

describe('faults and the legacy simulator', () => {
  it('refuses faults only the current API can play', async () => {
    for (const spec of ['refuse-resubscribe', 'close-after-ack:2', 'new-listing:100']) {
      await expect(startSimulator({ api: 'legacy', pairs: 2, faults: [parseFault(spec)] })).rejects.toThrow(/needs api v3/);
    }
  });

  it('stalls legacy data while heartbeats go on', async () => {
    const sim = await simulator({ api: 'legacy', pairs: 3, rate: 0, heartbeatMs: 50, faults: [parseFault('data-stall@20')] });
    const client = await connect(sim, [{ command: 'subscribe', channel: 1002 }]);
    await client.until((fs) => fs.filter((f) => f.text === '[1010]').length >= 2, 2000, 'two heartbeats');
    expect(market(client.frames)).toHaveLength(20);
  });
});

describe('parseFault (new forms)', () => {
  it('reads data-stall, refuse-resubscribe, close-after-ack and new-listing', () => {
    const specs = ['data-stall@100', 'refuse-resubscribe', 'refuse-resubscribe:3', 'close-after-ack', 'close-after-ack:2', 'new-listing:3000'];
    expect(specs.map(parseFault)).toEqual([
      { kind: 'data-stall', atFrame: 100 },
      { kind: 'refuse-resubscribe', count: 1 },
      { kind: 'refuse-resubscribe', count: 3 },
      { kind: 'close-after-ack' },
      { kind: 'close-after-ack', count: 2 },
      { kind: 'new-listing', ms: 3000 },
    ]);
  });

  it('rejects their malformed forms with the accepted ones', () => {
    for (const spec of ['data-stall', 'data-stall@3:1', 'refuse-resubscribe:x', 'close-after-ack:1:2', 'new-listing', 'new-listing:5:6']) {
      expect(() => parseFault(spec)).toThrow(new RegExp(`bad fault "${spec}".*new-listing:MS`));
    }
  });
});
