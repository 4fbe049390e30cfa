import { describe, expect, it } from 'vitest';
import { parseFault, startSimulator, type SimServer } from '../src/sim/index.js';
import {
  Collector,
  ReferenceClient,
  bookFramesByPair,
  eventually,
  isMarketFrame,
  isSnapshot,
  market,
  sleep,
  within,
  type Received,
} from './helpers/sim-client.js';
import { simulatorFixture } from './helpers/sim-fixture.js';

const DECIMAL = /^-?\d+\.\d{8}$/;

const { simulator, clients } = simulatorFixture({ api: 'legacy' });

/** Opens a collector that sends `commands` at once, then waits for the server to close it. */
async function runToClose(sim: SimServer, commands: readonly unknown[]): Promise<{ frames: Received[]; code: number }> {
  const client = new Collector(sim.wsUrl);
  clients.push(client);
  await client.opened();
  for (const command of commands) client.send(command);
  const code = await within(client.closed, 5000, 'server close');
  return { frames: client.frames, code };
}

describe('REST ticker map', () => {
  it('lists every pair under its legacy name with a sparse numeric id and 8-decimal strings', async () => {
    const sim = await simulator({ pairs: 12 });
    const response = await fetch(`${sim.restUrl}/public?command=returnTicker`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    const map = (await response.json()) as Record<string, Record<string, unknown>>;
    expect(Object.keys(map)).toHaveLength(12);
    expect(map.BTC_ETH?.id).toBe(148);
    expect(map.USDT_BTC?.id).toBe(121);
    const ids = Object.values(map).map((v) => v.id as number);
    expect(new Set(ids).size).toBe(12);
    expect(Math.max(...ids) - Math.min(...ids)).toBeGreaterThan(12);
    for (const [name, value] of Object.entries(map)) {
      expect(name).toMatch(/^[A-Z]+_[A-Z]+$/);
      for (const field of ['last', 'lowestAsk', 'highestBid', 'percentChange', 'baseVolume', 'quoteVolume', 'high24hr', 'low24hr']) {
        expect(value[field]).toMatch(DECIMAL);
      }
      expect(value).toMatchObject({ isFrozen: '0', postOnly: '0' });
      expect(Number(value.highestBid)).toBeLessThan(Number(value.lowestAsk));
    }
    const other = await fetch(`${sim.restUrl}/public?command=returnOrderBook`);
    expect(other.status).toBe(404);
    expect(await other.json()).toHaveProperty('error');
  });

  it('answers the first requests with the rest-fail status, then serves the map', async () => {
    const sim = await simulator({ pairs: 3, faults: [parseFault('rest-fail:2:502')] });
    const url = `${sim.restUrl}/public?command=returnTicker`;
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await fetch(url)).status);
    expect(statuses).toEqual([502, 502, 200]);
  });
});

describe('market stream', () => {
  it('replays the same frames for the same seed and different ones for another seed', async () => {
    const options = { seed: 7, pairs: 5, rate: 0, frames: 40 };
    const first = await runToClose(await simulator(options), [{ command: 'subscribe', channel: 'BTC_ETH' }]);
    const again = await runToClose(await simulator(options), [{ command: 'subscribe', channel: 'BTC_ETH' }]);
    const other = await runToClose(await simulator({ ...options, seed: 8 }), [{ command: 'subscribe', channel: 'BTC_ETH' }]);
    const texts = (r: { frames: Received[] }): string[] => r.frames.map((f) => f.text).filter((t) => t !== '[1010]');
    expect(texts(first)).toHaveLength(41);
    expect(texts(again)).toEqual(texts(first));
    expect(texts(other)).not.toEqual(texts(first));
  });

  it('numbers each pair’s book frames one by one from a start far from 0 and 1, with ~20% tickers of 10 or 12 fields', async () => {
    const sim = await simulator({ pairs: 5, rate: 0, frames: 1500 });
    const names = ['BTC_ETH', 'USDT_BTC', 'BTC_DOGE', 'BTC_XRP', 'USDT_ETH'];
    const { frames } = await runToClose(sim, [{ command: 'subscribe', channel: 1002 }, ...names.map((channel) => ({ command: 'subscribe', channel }))]);
    const byPair = bookFramesByPair(frames);
    expect(byPair.size).toBe(5);
    for (const list of byPair.values()) {
      expect(list[0]![0]).toBeGreaterThanOrEqual(100_000_000);
      list.forEach(([seq], i) => expect(seq).toBe(list[0]![0] + i));
    }
    const tickers = market(frames).filter((json) => json[0] === 1002);
    expect(tickers.length / 1500).toBeGreaterThan(0.12);
    expect(tickers.length / 1500).toBeLessThan(0.28);
    expect(new Set(tickers.map((json) => json[2].length))).toEqual(new Set([10, 12]));
  });

  it('keeps every book consistent: sorted snapshots, best bid below best ask, trades at the top, removals of existing levels', async () => {
    const sim = await simulator({ pairs: 5, rate: 0, frames: 3000 });
    const { frames } = await runToClose(sim, ['BTC_ETH', 'USDT_BTC', 'BTC_DOGE', 'BTC_XRP', 'USDT_ETH'].map((channel) => ({ command: 'subscribe', channel })));
    const prices: number[] = [];
    const sizes: string[] = [];
    let trades = 0;
    for (const list of bookFramesByPair(frames).values()) {
      const [, [snapshot]] = list[0]!;
      const [asksObj, bidsObj] = (snapshot![1] as { orderBook: Array<Record<string, string>> }).orderBook;
      const book = { ask: new Map(Object.entries(asksObj!)), bid: new Map(Object.entries(bidsObj!)) };
      const asks = [...book.ask.keys()].map(Number);
      expect(asks).toEqual([...asks].sort((a, b) => a - b));
      const bids = [...book.bid.keys()].map(Number);
      expect(bids).toEqual([...bids].sort((a, b) => b - a));
      prices.push(...asks);
      sizes.push(...book.ask.values(), ...book.bid.values());
      const best = (side: 'ask' | 'bid'): number => (side === 'ask' ? Math.min : Math.max)(...[...book[side].keys()].map(Number));
      for (const [, items] of list.slice(1)) {
        for (const item of items) {
          if (item[0] === 't') {
            trades += 1;
            expect(Number(item[3])).toBe(best(item[2] === 1 ? 'ask' : 'bid'));
            expect(typeof item[5]).toBe('number');
            continue;
          }
          const side = item[1] === 1 ? 'bid' : 'ask';
          expect(item[2]).toMatch(DECIMAL);
          expect(item[3]).toMatch(DECIMAL);
          if (item[3] === '0.00000000') expect(book[side].delete(item[2] as string)).toBe(true);
          else book[side].set(item[2] as string, item[3] as string);
        }
        expect(best('bid')).toBeLessThan(best('ask'));
      }
    }
    expect(trades).toBeGreaterThan(50);
    expect(prices.some((p) => p > 1000)).toBe(true);
    expect(prices.some((p) => p < 0.0001)).toBe(true);
    // Sizes a double cannot carry: the client must keep the exchange's string.
    expect(sizes.some((s) => Number(s).toFixed(8) !== s)).toBe(true);
  });

  it('sends a fresh snapshot with the current seq when a pair is subscribed again', async () => {
    const sim = await simulator({ pairs: 3, rate: 500 });
    const client = new Collector(sim.wsUrl);
    clients.push(client);
    await client.opened();
    client.send({ command: 'subscribe', channel: 'BTC_ETH' });
    client.send({ command: 'subscribe', channel: 121 });
    const ofPair = (id: number) => (fs: readonly Received[]) => fs.filter((f) => isMarketFrame(f.json) && f.json[0] === id);
    await client.until((fs) => ofPair(148)(fs).length >= 5, 3000, 'BTC_ETH updates');
    client.send({ command: 'unsubscribe', channel: 'BTC_ETH' });
    await client.until((fs) => fs.some((f) => f.text === '[148,0]'), 2000, 'unsubscribe ack');
    const lastSeen = (ofPair(148)(client.frames).at(-1)!.json as number[])[1]!;
    const usdtSoFar = ofPair(121)(client.frames).length;
    await client.until((fs) => ofPair(121)(fs).length >= usdtSoFar + 40, 3000, 'USDT_BTC updates');
    expect(ofPair(148)(client.frames.slice(client.frames.findIndex((f) => f.text === '[148,0]')))).toHaveLength(0);
    client.send({ command: 'subscribe', channel: 'BTC_ETH' });
    await client.until((fs) => ofPair(148)(fs).filter((f) => isSnapshot(f.json)).length === 2 && !isSnapshot(ofPair(148)(fs).at(-1)!.json), 3000, 'resubscribed BTC_ETH');
    const btcEth = ofPair(148)(client.frames);
    const resubscribed = btcEth.findIndex((f, i) => i > 0 && isSnapshot(f.json));
    const after = btcEth.slice(resubscribed, resubscribed + 2).map((f) => f.json as [number, number, unknown[][]]);
    expect(after[0]![1]).toBeGreaterThan(lastSeen);
    expect(after[1]![1]).toBe(after[0]![1] + 1);
  });

  it('closes with code 1000 after the frames limit', async () => {
    const sim = await simulator({ pairs: 4, rate: 0, frames: 25 });
    const { frames, code } = await runToClose(sim, [{ command: 'subscribe', channel: 1002 }, { command: 'subscribe', channel: 'USDT_BTC' }]);
    expect(code).toBe(1000);
    expect(market(frames)).toHaveLength(25);
    await within(sim.waitForClose(1), 1000, 'waitForClose');
    expect(sim.connections()[0]?.closedNormally).toBe(true);
  });

  it('sends a heartbeat after heartbeatMs without other traffic', async () => {
    const sim = await simulator({ heartbeatMs: 80 });
    const client = new Collector(sim.wsUrl);
    clients.push(client);
    await client.opened();
    const start = performance.now();
    await client.until((fs) => fs.length >= 2, 1000, 'two heartbeats');
    expect(client.frames.map((f) => f.text)).toEqual(['[1010]', '[1010]']);
    expect(client.frames[0]!.at - start).toBeGreaterThanOrEqual(60);
    expect(client.frames[1]!.at - client.frames[0]!.at).toBeGreaterThanOrEqual(60);
  });

  it('stalls the feed instead of queueing without bound while the client stops reading, and resumes after', async () => {
    const sim = await simulator({ pairs: 5, rate: 0 });
    const client = new Collector(sim.wsUrl);
    clients.push(client);
    await client.opened();
    client.send({ command: 'subscribe', channel: 1002 });
    await client.until((fs) => fs.length >= 100, 2000, 'the first frames');
    client.pause();
    const log = sim.connections()[0]!;
    // Frames pile up in the kernel's socket buffers (megabytes on loopback), then stop.
    await eventually(async () => {
      const before = log.framesSent;
      await sleep(100);
      return log.framesSent === before;
    }, 12_000, 'the feed to stall'); // generous: a loaded machine fills the buffers slowly
    const sentWhilePaused = log.framesSent;
    await sleep(200);
    expect(log.framesSent).toBe(sentWhilePaused);
    client.resume();
    await eventually(async () => (await sleep(20), log.framesSent > sentWhilePaused), 5000, 'the feed to resume');
  });

  it('answers bad commands and unknown channels with the legacy error objects, and accepts numeric pair ids', async () => {
    const sim = await simulator({ pairs: 3, rate: 1 });
    const client = new Collector(sim.wsUrl);
    clients.push(client);
    await client.opened();
    for (const command of ['not json', { command: 'dance' }, { command: 'subscribe', channel: 'NOPE_NOPE' }, { command: 'subscribe', channel: 148 }, { command: 'subscribe', channel: 1002 }, { command: 'unsubscribe', channel: 1002 }]) {
      client.send(command);
    }
    await client.until((fs) => fs.length >= 6, 2000, 'six replies');
    const replies = client.frames.slice(0, 6).map((f) => (isSnapshot(f.json) ? 'snapshot' : f.text));
    expect(replies).toEqual(['{"error":"Invalid command."}', '{"error":"Invalid command."}', '{"error":"Invalid channel."}', 'snapshot', '[1002,1]', '[1002,0]']);
    expect((client.frames[3]!.json as unknown[])[0]).toBe(148);
  });
});

describe('faults', () => {
  it('skips exactly one seq of one pair at a gap and leaves the other pairs in sequence', async () => {
    const sim = await simulator({ pairs: 4, rate: 0, frames: 120, faults: [parseFault('gap@30')] });
    const { frames } = await runToClose(sim, ['BTC_ETH', 'USDT_BTC', 'BTC_DOGE', 'BTC_XRP'].map((channel) => ({ command: 'subscribe', channel })));
    const jumps = [...bookFramesByPair(frames)].flatMap(([id, list]) =>
      list.slice(1).map(([seq], i) => ({ id, step: seq - list[i]![0] })).filter(({ step }) => step !== 1));
    expect(jumps).toHaveLength(1);
    expect(jumps[0]!.step).toBe(2);
    const thirtieth = market(frames)[29]!;
    expect(jumps[0]!.id).toBe(thirtieth[0]);
  });

  it('cuts the socket without a close frame once, so the next connection streams to its normal close', async () => {
    const sim = await simulator({ pairs: 3, rate: 0, frames: 30, faults: [parseFault('cut@10')] });
    const subscribe = [{ command: 'subscribe', channel: 1002 }];
    const cut = await runToClose(sim, subscribe);
    expect(cut.code).toBe(1006);
    expect(market(cut.frames)).toHaveLength(10);
    const next = await runToClose(sim, subscribe);
    expect(next.code).toBe(1000);
    expect(market(next.frames)).toHaveLength(30);
    await within(sim.waitForClose(2), 1000, 'server side of the close');
    expect(sim.connections().map((c) => c.closedNormally)).toEqual([false, true]);
  });

  it('goes silent, heartbeats included, for the given time and then resumes', async () => {
    const sim = await simulator({ pairs: 3, rate: 100, heartbeatMs: 40, faults: [parseFault('silence@5:300')] });
    const client = new Collector(sim.wsUrl);
    clients.push(client);
    await client.opened();
    client.send({ command: 'subscribe', channel: 1002 });
    await client.until((fs) => market(fs).length >= 8, 3000, 'frames after the silence');
    const fifth = client.frames.indexOf(client.frames.filter((f) => isMarketFrame(f.json))[4]!);
    const quiet = client.frames[fifth + 1]!.at - client.frames[fifth]!.at;
    expect(quiet).toBeGreaterThanOrEqual(280);
    expect(quiet).toBeLessThan(1000);
  });

  it('predicts byte for byte what a correct client prints through a gap, a duplicate, malformed and unknown-pair frames', async () => {
    const faults = ['gap@20:BTC_ETH', 'duplicate@30', 'malformed@40', 'unknown-pair@50'].map(parseFault);
    const sim = await simulator({ seed: 3, pairs: 3, depth: 6, rate: 1000, frames: 150, faults });
    const map = (await (await fetch(`${sim.restUrl}/public?command=returnTicker`)).json()) as Record<string, { id: number }>;
    const names = new Map(Object.entries(map).map(([name, { id }]) => [id, name]));
    const client = new ReferenceClient(sim.wsUrl, names, [1, 3]);
    clients.push(client);
    await client.opened();
    for (const channel of [1002, 'BTC_ETH', 'USDT_BTC', 'BTC_DOGE']) client.send({ command: 'subscribe', channel });
    expect(await within(client.closed, 5000, 'close after 150 frames')).toBe(1000);

    const texts = client.frames.map((f) => f.text);
    expect(texts.filter((t) => t.startsWith('[148,') && t.includes('"i"'))).toHaveLength(2);
    const updates = client.frames.filter((f) => isMarketFrame(f.json) && f.json[0] !== 1002 && !isSnapshot(f.json)).map((f) => f.text);
    expect(new Set(updates).size).toBe(updates.length - 1);
    expect(client.frames.some((f) => f.json === undefined)).toBe(true);
    expect(texts).toContain('["o"]');
    const log = sim.connections()[0]!;
    expect(log.expectedLines()).toEqual(client.lines.get(1));
    expect(log.expectedLines(3)).toEqual(client.lines.get(3));
    const shapes = [
      /^(BTC_ETH|USDT_BTC|BTC_DOGE) book: (asks|bids)\(\(price,size\)\): \(\d+\.\d{8},\d+\.\d{8}\)$/,
      /^Remove [A-Z]+_[A-Z]+,side=(bid|ask),price=\d+\.\d{8}$/,
      /^Add or change [A-Z]+_[A-Z]+,side=(bid|ask),price=\d+\.\d{8},size=\d+\.\d{8}$/,
      /^TRADE [A-Z]+_[A-Z]+=\d+\(tradeId\),(bid|ask)\(bookSide\),\d+\.\d{8}\(price\),\d+\.\d{8}\(size\),\d{10}\(timestamp\)$/,
      /^TICKER UPDATE [A-Z]+_[A-Z]+=(-?\d+\.\d{8}\((last|lowestAsk|highestBid|percentChange|baseVolume|quoteVolume)\),){6}0\(isFrozen\),\d+\.\d{8}\(high24hr\),\d+\.\d{8}\(low24hr\)$/,
    ];
    const lines = log.expectedLines();
    for (const line of lines) expect(shapes.some((shape) => shape.test(line)), line).toBe(true);
    for (const shape of shapes) expect(lines.some((line) => shape.test(line)), String(shape)).toBe(true);
  });
});

describe('lifecycle', () => {
  it('leaves no socket or timer behind after close(), even in the middle of a silence', async () => {
    const count = (kind: string): number => process.getActiveResourcesInfo().filter((k) => k === kind).length;
    const before = { timers: count('Timeout'), servers: count('TCPServerWrap'), sockets: count('TCPSocketWrap') };
    const sim = await startSimulator({ api: 'legacy', pairs: 3, rate: 100, heartbeatMs: 50, faults: [parseFault('silence@3:10000')] });
    const client = new Collector(sim.wsUrl);
    await client.opened();
    client.send({ command: 'subscribe', channel: 1002 });
    await client.until((fs) => market(fs).length >= 3, 2000, 'the silence to start');
    await within(sim.close(), 2000, 'close()');
    expect(await within(client.closed, 2000, 'client close')).toBe(1006);
    await sleep(20);
    expect(count('Timeout')).toBeLessThanOrEqual(before.timers);
    expect(count('TCPServerWrap')).toBeLessThanOrEqual(before.servers);
    expect(count('TCPSocketWrap')).toBeLessThanOrEqual(before.sockets);
  });
});

describe('parseFault', () => {
  it('reads every documented fault form', () => {
    expect(['gap@500', 'gap@500:BTC_ETH', 'duplicate@40', 'malformed@100', 'unknown-pair@50', 'cut@300', 'silence@200:5000', 'rest-fail:2:502'].map(parseFault)).toEqual([
      { kind: 'gap', atFrame: 500 },
      { kind: 'gap', atFrame: 500, pair: 'BTC_ETH' },
      { kind: 'duplicate', atFrame: 40 },
      { kind: 'malformed', atFrame: 100 },
      { kind: 'unknown-pair', atFrame: 50 },
      { kind: 'cut', atFrame: 300 },
      { kind: 'silence', atFrame: 200, ms: 5000 },
      { kind: 'rest-fail', count: 2, status: 502 },
    ]);
  });

  it('rejects a bad spec with a message naming it and the accepted forms', () => {
    for (const spec of ['gap', 'gap@x', 'gap@0', 'silence@5', 'cut@3:x', 'boom@1', 'rest-fail:2:999']) {
      expect(() => parseFault(spec)).toThrow(new RegExp(`bad fault "${spec}".*expected one of gap@FRAME`));
    }
  });

  it('refuses a gap naming a pair the simulator does not list', async () => {
    await expect(startSimulator({ api: 'legacy', pairs: 2, faults: [parseFault('gap@5:BTC_XMR')] })).rejects.toThrow(/BTC_XMR/);
  });
});
