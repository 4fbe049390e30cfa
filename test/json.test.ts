import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runInProcess } from './helpers/run-in-process.js';

/**
 * --format json, byte for byte: a recording replayed (its times are the stamps) must print exactly
 * these objects, fields in the README's order, every value the exchange's string, null for the
 * side of a --top line that has no level.
 */

const AT = Date.UTC(2026, 10, 25, 9, 46, 40, 123);
const frame = (ms: number, data: object): object => ({ type: 'frame', at: AT + ms, conn: 1, data: JSON.stringify(data) });

const RECORDING = [
  { type: 'start', api: 'v3', pairs: null, channels: ['ticker', 'book', 'trades'] },
  { type: 'markets', at: AT, pairs: ['BTC_USDT'], byId: {}, frozen: [] },
  frame(0, {
    channel: 'book_lv2',
    action: 'snapshot',
    data: [{ symbol: 'BTC_USDT', createTime: 1, asks: [['24983.89', '0.5'], ['24990', '1.25']], bids: [], lastId: 999, id: 1000, ts: 2 }],
  }),
  frame(1, {
    channel: 'book_lv2',
    action: 'update',
    data: [{ symbol: 'BTC_USDT', createTime: 3, asks: [['24983.89', '0']], bids: [['24980.1', '403171621.65163678']], lastId: 1000, id: 1001, ts: 4 }],
  }),
  frame(1, {
    channel: 'trades',
    data: [{ symbol: 'BTC_USDT', amount: '1', quantity: '0.000537', takerSide: 'sell', createTime: 1676950548834, price: '24980.1', id: '62486976', ts: 5 }],
  }),
  frame(2, {
    channel: 'ticker',
    data: [
      { symbol: 'BTC_USDT', startTime: 1, open: '23154.32', high: '23212.21', low: '22761.01', close: '23148.86', quantity: '105.179566', amount: '2423161.17436702', tradeCount: 17582, dailyChange: '-0.0002', markPrice: '23151.09', closeTime: 2, ts: 3 },
    ],
  }),
];

const BOOK = [
  '{"ts":"2026-11-25T09:46:40.123Z","type":"book","pair":"BTC_USDT","side":"ask","price":"24983.89","size":"0.5"}',
  '{"ts":"2026-11-25T09:46:40.123Z","type":"book","pair":"BTC_USDT","side":"ask","price":"24990","size":"1.25"}',
];
const FIRST_TOP = '{"ts":"2026-11-25T09:46:40.123Z","type":"top","pair":"BTC_USDT","bidPrice":null,"bidSize":null,"askPrice":"24983.89","askSize":"0.5","spread":null}';
const CHANGES = [
  '{"ts":"2026-11-25T09:46:40.124Z","type":"remove","pair":"BTC_USDT","side":"ask","price":"24983.89"}',
  '{"ts":"2026-11-25T09:46:40.124Z","type":"change","pair":"BTC_USDT","side":"bid","price":"24980.1","size":"403171621.65163678"}',
];
const SECOND_TOP =
  '{"ts":"2026-11-25T09:46:40.124Z","type":"top","pair":"BTC_USDT","bidPrice":"24980.1","bidSize":"403171621.65163678","askPrice":"24990","askSize":"1.25","spread":"9.9"}';
const TRADE =
  '{"ts":"2026-11-25T09:46:40.124Z","type":"trade","pair":"BTC_USDT","tradeId":"62486976","side":"ask","price":"24980.1","size":"0.000537","timestamp":"1676950548834"}';
const TICKER =
  '{"ts":"2026-11-25T09:46:40.125Z","type":"ticker","pair":"BTC_USDT","last":"23148.86","lowestAsk":"24990","highestBid":"24980.1","percentChange":"-0.0002",' +
  '"baseVolume":"2423161.17436702","quoteVolume":"105.179566","isFrozen":"0","high24hr":"23212.21","low24hr":"22761.01"}';

const text = (lines: readonly string[]): string => lines.map((line) => `${line}\n`).join('');

describe('--format json', () => {
  const file = join(mkdtempSync(join(tmpdir(), 'polo-ws-json-')), 'session.ndjson');
  writeFileSync(file, text(RECORDING.map((record) => JSON.stringify(record))));

  it('prints each event as these exact bytes, fields in the documented order, null for an empty --top side', async () => {
    const result = await runInProcess(['replay', file, '--format', 'json', '--top', '--depth', '2']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(text([...BOOK, FIRST_TOP, ...CHANGES, SECOND_TOP, TRADE, TICKER]));
  });

  it('prints the same objects without --top, and only the channels asked for', async () => {
    expect((await runInProcess(['replay', file, '--format', 'json', '--depth', '2'])).stdout).toBe(text([...BOOK, ...CHANGES, TRADE, TICKER]));
    expect((await runInProcess(['replay', file, '--format', 'json', '--channels', 'trades,ticker'])).stdout).toBe(text([TRADE, TICKER]));
  });
});
