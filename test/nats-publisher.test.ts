// The publisher alone against a real nats-server: what it stores when it is the stream's only
// writer (one message in 64 asks for JetStream's answer), and what it does when another writer
// shows up between its messages (a broken chain, or the stream sequence moving by more than its
// own messages): it says so once, confirms each message from then on, and still stores every
// message of its own once, in its order. Also the path without nats.js's protocol handler.
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { expect, it, type TestContext } from 'vitest';
import { Publisher } from '../src/bus/publisher.js';
import { ensureStream } from '../src/bus/stream.js';
import type { TradeItem } from '../src/protocol/types.js';
import { describeNats, startNats } from './helpers/nats-server.js';
import { publishRaw, readStream } from './helpers/nats-stream.js';

type Cleanup = TestContext['onTestFinished'];

interface Setup {
  readonly url: string;
  readonly nc: NatsConnection;
  readonly publisher: Publisher;
  readonly warnings: string[];
  readonly infos: string[];
}

async function setup(cleanup: Cleanup, stream: string, wrap: (nc: NatsConnection) => NatsConnection = (nc) => nc): Promise<Setup> {
  const server = await startNats();
  cleanup(() => server.stop());
  const nc = await connect({ servers: server.url });
  cleanup(() => nc.close());
  await ensureStream(nc, [server.url], { name: stream, replicas: 1, maxAgeMs: 3_600_000 });
  const warnings: string[] = [];
  const infos: string[] = [];
  const publisher = new Publisher(wrap(nc), { onBlocked: () => undefined, warn: (m) => warnings.push(m), info: (m) => infos.push(m), now: () => Date.now() });
  cleanup(() => publisher.close());
  return { url: server.url, nc, publisher, warnings, infos };
}

function trade(id: number): TradeItem {
  return { kind: 'trade', tradeId: String(id), side: id % 2 === 0 ? 'bid' : 'ask', price: `${100 + (id % 7)}.25`, size: '0.5', timestamp: String(1_700_000_000 + id) };
}

/** Trades first .. first + count - 1 of BTC_USDT, in one go (one write, or a few). */
function publishTrades(publisher: Publisher, first: number, count: number): void {
  for (let id = first; id < first + count; id++) {
    publisher.begin(1_700_000_000_000 + id);
    publisher.trade('BTC_USDT', trade(id));
  }
}

/** The trade ids the stream holds, in its order. */
async function storedIds(url: string, stream: string): Promise<string[]> {
  return (await readStream(url, stream)).map((m) => m.msgId ?? '?');
}

function ids(first: number, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `BTC_USDT:t:${first + i}`);
}

describeNats('publisher (nats-server)', () => {
  it('alone: every message once, in order, confirmed from the answers of a few', async ({ onTestFinished }) => {
    const { url, publisher, warnings, infos } = await setup(onTestFinished, 'ALONE');
    // JetStream's answers, seen from another connection (replies go to whoever subscribes).
    const watcher = await connect({ servers: url });
    onTestFinished(() => watcher.close());
    let answers = 0;
    watcher.subscribe('_INBOX.>', {
      callback: () => {
        answers++;
      },
    });
    await watcher.flush();
    publishTrades(publisher, 1, 3000);
    expect(await publisher.settle(10_000)).toBe(0);
    publishTrades(publisher, 3001, 7);
    expect(await publisher.settle(10_000)).toBe(0);
    await watcher.flush();
    const asked = answers;
    expect(await storedIds(url, 'ALONE')).toEqual(ids(1, 3007));
    // One in 64, and the last of each write: not one each.
    expect(asked).toBeGreaterThan(3000 / 64);
    expect(asked).toBeLessThan(300);
    expect(warnings).toEqual([]);
    expect(infos).toEqual([]);
  });

  it('another writer between two writes breaks the chain: said once, each message confirmed after, nothing lost or doubled', async ({ onTestFinished }) => {
    const { url, publisher, warnings, infos } = await setup(onTestFinished, 'BROKEN');
    publishTrades(publisher, 1, 500);
    expect(await publisher.settle(10_000)).toBe(0);
    await publishRaw(url, [{ subject: 'poloniex.trade.ETH_USDT', data: '{"other":1}', msgId: 'other-1' }]);
    publishTrades(publisher, 501, 500);
    expect(await publisher.settle(10_000)).toBe(0);
    await publishRaw(url, [{ subject: 'poloniex.trade.ETH_USDT', data: '{"other":2}', msgId: 'other-2' }]);
    publishTrades(publisher, 1001, 500);
    expect(await publisher.settle(10_000)).toBe(0);
    expect(infos).toEqual(['another publisher writes to the stream (a broken chain): confirming each message from here on']);
    expect(warnings).toEqual([]);
    const stored = await storedIds(url, 'BROKEN');
    expect(stored.filter((id) => id.startsWith('BTC_USDT'))).toEqual(ids(1, 1500));
    expect(stored.filter((id) => id.startsWith('other'))).toEqual(['other-1', 'other-2']);
  });

  it('another writer that stored one of its messages and one of its own in between: the sequence moved by more, said, nothing lost', async ({ onTestFinished }) => {
    const { url, publisher, infos } = await setup(onTestFinished, 'BETWEEN');
    publishTrades(publisher, 1, 100);
    expect(await publisher.settle(10_000)).toBe(0);
    // The next message as another publisher of the same feed would store it (same id, chained to
    // the last stored one), then one of its own: the publisher's next message is a duplicate
    // (no answer asked: invisible), the one after it chains onto the foreign one and fails... unless
    // the foreign one is the next message too. Here: the copy of 101 after a message of its own.
    await publishRaw(url, [
      { subject: 'poloniex.trade.ETH_USDT', data: '{"other":1}', msgId: 'other-1' },
      { subject: 'poloniex.trade.BTC_USDT', data: '{"copy":101}', msgId: 'BTC_USDT:t:101' },
    ]);
    publishTrades(publisher, 101, 200);
    expect(await publisher.settle(10_000)).toBe(0);
    expect(infos).toHaveLength(1);
    expect(infos[0]).toMatch(/^another publisher writes to the stream \((messages in between|a duplicate|a broken chain)\)/);
    const stored = await storedIds(url, 'BETWEEN');
    expect(stored.filter((id) => id.startsWith('BTC_USDT'))).toEqual(ids(1, 300));
  });

  it('without the protocol handler (another nats.js): each message through publish(), the same stream', async ({ onTestFinished }) => {
    const hide = (nc: NatsConnection): NatsConnection =>
      new Proxy(nc, {
        get: (target, key) => {
          if (key === 'protocol') return undefined;
          const value = Reflect.get(target, key, target) as unknown;
          // Its own methods still see the real connection (and its protocol handler).
          return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
        },
      }) as NatsConnection;
    const { url, publisher, warnings } = await setup(onTestFinished, 'PLAIN', hide);
    publishTrades(publisher, 1, 700);
    expect(await publisher.settle(10_000)).toBe(0);
    expect(await storedIds(url, 'PLAIN')).toEqual(ids(1, 700));
    expect(warnings).toEqual([]);
  });
});
