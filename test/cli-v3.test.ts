import { afterEach, describe, expect, it } from 'vitest';
import { untimed } from './helpers/run-cli.js';
import { runInProcess } from './helpers/run-in-process.js';
import { startScriptedV3Server, type ScriptedV3Server, type V3Step } from './helpers/scripted-v3-server.js';

const markets = [
  { symbol: 'BTC_USDT', state: 'NORMAL', baseCurrencyName: 'BTC', quoteCurrencyName: 'USDT' },
  { symbol: 'ETH_BTC', state: 'NORMAL' },
  { symbol: 'DOGE_USDT', state: 'PAUSE' },
];

const snapshot = (symbol: string, id: number, asks: string[][], bids: string[][]) => ({
  channel: 'book_lv2',
  action: 'snapshot',
  data: [{ symbol, createTime: 1677368876253, asks, bids, lastId: id - 1, id, ts: 1677368876316 }],
});
const update = (symbol: string, lastId: number, id: number, asks: string[][], bids: string[][]) => ({
  channel: 'book_lv2',
  action: 'update',
  data: [{ symbol, createTime: 1677368876882, asks, bids, lastId, id, ts: 1677368876890 }],
});
const trade = (symbol: string, id: string, takerSide: string, price: string, quantity: string) => ({
  channel: 'trades',
  data: [{ symbol, amount: '1', quantity, takerSide, createTime: 1676950548834, price, id, ts: 1676950548839 }],
});
const ticker = (symbol: string) => ({
  channel: 'ticker',
  data: [
    { symbol, startTime: 1, open: '23154.32', high: '23212.21', low: '22761.01', close: '23148.86', quantity: '105.179566', amount: '2423161.17436702', tradeCount: 17582, dailyChange: '-0.0002', markPrice: '23151.09', closeTime: 2, ts: 3 },
  ],
});

const opening: V3Step[] = [
  snapshot('BTC_USDT', 1000, [['24983.89', '0.5'], ['24990', '1.25']], [['24980.1', '403171621.65163678'], ['24970', '2']]),
  snapshot('ETH_BTC', 500, [['0.0701', '3']], [['0.07', '4']]),
  snapshot('DOGE_USDT', 77, [['0.0721', '100']], [['0.072', '200']]),
];

let server: ScriptedV3Server | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function stream(steps: V3Step[], extra: string[] = []) {
  server = await startScriptedV3Server({ markets, steps, subscribeMessages: 3 });
  const result = await runInProcess(['--rest-url', server.url, '--ws-url', server.wsUrl, '--max-reconnects', '0', ...extra]);
  return { ...result, lines: untimed(result.stdout) };
}

describe('polo-ws against a server of the current API (the default)', () => {
  it('prints one line per level change, trade and ticker, byte-exact and in order, then exits 0', async () => {
    const steps: V3Step[] = [
      ...opening,
      update('BTC_USDT', 1000, 1003, [['24983.89', '0'], ['24985', '0.75']], [['24981', '1.5']]),
      trade('BTC_USDT', '62486976', 'buy', '24983.89', '0.000537'),
      ticker('BTC_USDT'),
      { channel: 'book_lv2', action: 'update', data: [
        { symbol: 'ETH_BTC', bids: [['0.07', '0']], asks: [['0.0702', '1']], lastId: 500, id: 501 },
        { symbol: 'ETH_BTC', asks: [['0.0701', '0.00']], bids: [], lastId: 501, id: 502 },
      ] },
      trade('ETH_BTC', '7', 'sell', '0.0701', '3'),
      ticker('DOGE_USDT'),
    ];
    const { code, lines, stderr } = await stream(steps);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(lines).toEqual([
      'BTC_USDT book: asks((price,size)): (24983.89,0.5)',
      'BTC_USDT book: bids((price,size)): (24980.1,403171621.65163678)',
      'ETH_BTC book: asks((price,size)): (0.0701,3)',
      'ETH_BTC book: bids((price,size)): (0.07,4)',
      'DOGE_USDT book: asks((price,size)): (0.0721,100)',
      'DOGE_USDT book: bids((price,size)): (0.072,200)',
      'Remove BTC_USDT,side=ask,price=24983.89',
      'Add or change BTC_USDT,side=ask,price=24985,size=0.75',
      'Add or change BTC_USDT,side=bid,price=24981,size=1.5',
      'TRADE BTC_USDT=62486976(tradeId),bid(bookSide),24983.89(price),0.000537(size),1676950548834(timestamp)',
      'TICKER UPDATE BTC_USDT=23148.86(last),24985(lowestAsk),24981(highestBid),-0.0002(percentChange),2423161.17436702(baseVolume),105.179566(quoteVolume),0(isFrozen),23212.21(high24hr),22761.01(low24hr)',
      // Levels in the order the message lists them: this item has bids before asks.
      'Remove ETH_BTC,side=bid,price=0.07',
      'Add or change ETH_BTC,side=ask,price=0.0702,size=1',
      'Remove ETH_BTC,side=ask,price=0.0701',
      'TRADE ETH_BTC=7(tradeId),ask(bookSide),0.0701(price),3(size),1676950548834(timestamp)',
      'TICKER UPDATE DOGE_USDT=23148.86(last),0.0721(lowestAsk),0.072(highestBid),-0.0002(percentChange),2423161.17436702(baseVolume),105.179566(quoteVolume),1(isFrozen),23212.21(high24hr),22761.01(low24hr)',
    ]);
  });

  it('subscribes ticker, trades and book_lv2 for every market', async () => {
    await stream(opening);
    expect(server?.commands).toEqual(
      ['ticker', 'trades', 'book_lv2'].map((channel) => ({ event: 'subscribe', channel: [channel], symbols: ['BTC_USDT', 'ETH_BTC', 'DOGE_USDT'] })),
    );
  });

  it('resyncs only the symbol whose lastId does not follow, and resumes it from its fresh snapshot', async () => {
    const steps: V3Step[] = [
      ...opening,
      update('BTC_USDT', 1000, 1001, [['24984', '1']], []),
      update('BTC_USDT', 1002, 1004, [['24985', '1']], []), // lastId 1002 != 1001: a gap
      update('ETH_BTC', 500, 501, [], [['0.0699', '1']]),
      update('BTC_USDT', 1004, 1005, [['24986', '1']], []), // in flight: not printed
      trade('BTC_USDT', '9', 'sell', '24980.1', '1'), // trades are not sequenced: printed
      { awaitBookSubscribe: 'BTC_USDT' },
      snapshot('BTC_USDT', 2000, [['25000', '1']], [['24999', '2']]),
      update('ETH_BTC', 501, 502, [], [['0.0698', '1']]),
      update('BTC_USDT', 2000, 2001, [], [['24999', '0']]),
    ];
    const { code, lines, stderr } = await stream(steps);
    expect(code).toBe(0);
    expect(lines.slice(6)).toEqual([
      'Add or change BTC_USDT,side=ask,price=24984,size=1',
      'Add or change ETH_BTC,side=bid,price=0.0699,size=1',
      'TRADE BTC_USDT=9(tradeId),ask(bookSide),24980.1(price),1(size),1676950548834(timestamp)',
      'BTC_USDT book: asks((price,size)): (25000,1)',
      'BTC_USDT book: bids((price,size)): (24999,2)',
      'Add or change ETH_BTC,side=bid,price=0.0698,size=1',
      'Remove BTC_USDT,side=bid,price=24999',
    ]);
    expect(server?.commands.slice(3)).toEqual([
      { event: 'unsubscribe', channel: ['book_lv2'], symbols: ['BTC_USDT'] },
      { event: 'subscribe', channel: ['book_lv2'], symbols: ['BTC_USDT'] },
    ]);
    expect(stderr).toMatch(/^polo-ws: warning: sequence gap in BTC_USDT \(expected lastId 1001, got 1002\): resubscribing BTC_USDT$/m);
  });

  it('drops a duplicate update and reports a rejected symbol once while the rest stream on', async () => {
    const steps: V3Step[] = [
      ...opening,
      { event: 'error', message: 'Invalid symbol: NOPE_USDT' },
      update('ETH_BTC', 500, 501, [], [['0.0699', '1']]),
      update('ETH_BTC', 500, 501, [], [['0.0699', '1']]),
      { event: 'error', message: 'Invalid symbol: NOPE_USDT' },
      update('ETH_BTC', 501, 502, [], [['0.0699', '2']]),
    ];
    const { code, lines, stderr } = await stream(steps);
    expect(code).toBe(0);
    expect(lines.slice(6)).toEqual(['Add or change ETH_BTC,side=bid,price=0.0699,size=1', 'Add or change ETH_BTC,side=bid,price=0.0699,size=2']);
    expect(stderr.match(/Invalid symbol: NOPE_USDT/g)).toHaveLength(1);
  });

  it('pings often enough that pongs keep a quiet feed alive', async () => {
    const { code, lines, stderr } = await stream([...opening, { pauseMs: 2500 }, ticker('ETH_BTC')], ['--heartbeat-timeout', '1']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(lines.at(-1)).toMatch(/^TICKER UPDATE ETH_BTC=/);
  });

  it('skips malformed messages and unknown symbols with warnings, printing every good line', async () => {
    const steps: V3Step[] = [
      ...opening,
      '{"channel":"book_lv2"',
      { channel: 'book_lv2', action: 'update', data: [{ symbol: 'BTC_USDT' }] },
      { channel: 'trades', data: 'x' },
      update('NOPE_USDT', 1, 2, [['1', '1']], []),
      ticker('NOPE_USDT'),
      update('BTC_USDT', 1000, 1001, [['24984', '1']], []),
    ];
    const { code, lines, stderr } = await stream(steps);
    expect(code).toBe(0);
    expect(lines.slice(6)).toEqual(['Add or change BTC_USDT,side=ask,price=24984,size=1']);
    expect(stderr).toMatch(/bad frame #1 skipped \(not JSON\)/);
    expect(stderr).toMatch(/frame for unknown pair NOPE_USDT skipped/);
    expect(stderr).not.toMatch(/^\s+at /m);
  });
});
