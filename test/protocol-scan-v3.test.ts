import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { V3Decoder } from '../src/protocol/v3.js';
import { KnownNames, TextScan } from '../src/protocol/scan-text.js';
import { V3Feed, v3Market } from '../src/sim/v3-feed.js';
import { V3Listing } from '../src/sim/v3-listing.js';
import { bookMessage, dataMessage } from '../src/sim/v3-wire.js';
import type { MarketMap } from '../src/protocol/types.js';
import { V3_FRAMES, V3_MARKETS, type Json } from './helpers/hostile-frames.js';
import { agreement, agreementProperties, decimalText, digits, ready, safeCount, signedDecimalText } from './helpers/scan-agreement.js';

/**
 * Issue 15, v3: book_lv2 snapshots and updates, trades and tickers are read without JSON.parse, to exactly the
 * events the full path gives them; whatever else arrives, or whatever is spelled otherwise, goes
 * to the full path, so its errors and warnings stay as they were. Fixed seeds.
 */

const SEED = 20261125;
const RUNS = 500;

const decoder = (markets: MarketMap = V3_MARKETS): V3Decoder => ready(new V3Decoder(), markets);

/**
 * An object of these entries (given in the exchange's key order): half the time in that order, which
 * the scanner reads straight through, else in any order, which it reads key by key.
 */
const anyOrder = (entries: [string, Json][]): fc.Arbitrary<Json> =>
  fc.oneof(
    fc.constant(Object.fromEntries(entries) as Json),
    fc.shuffledSubarray(entries, { minLength: entries.length }).map((shuffled) => Object.fromEntries(shuffled) as Json),
  );

/** BTC_USDT trades normally, ETH_USDT is frozen (isFrozen 1). */
const symbol = fc.constantFrom('BTC_USDT', 'ETH_USDT');
const levels = fc.array(fc.tuple(decimalText, decimalText) as fc.Arbitrary<Json[]>, { maxLength: 5 });
const idText = fc.string({ unit: fc.constantFrom(...'09azAZ_-'), minLength: 1, maxLength: 64 });

const bookUpdate: fc.Arbitrary<Json> = fc
  .tuple(symbol, safeCount, levels, levels, safeCount, safeCount, safeCount)
  .chain(([s, createTime, asks, bids, lastId, id, ts]) =>
    anyOrder([['symbol', s], ['createTime', createTime], ['asks', asks], ['bids', bids], ['lastId', lastId], ['id', id], ['ts', ts]]),
  )
  .map((item) => ({ channel: 'book_lv2', action: 'update', data: [item] }));

/** A snapshot as the exchange sends it (20 levels a side), or shorter, or with a side empty. */
const snapshotSide = fc.array(fc.tuple(decimalText, decimalText) as fc.Arbitrary<Json[]>, { maxLength: 20 });
const bookSnapshot: fc.Arbitrary<Json> = fc
  .tuple(symbol, safeCount, snapshotSide, snapshotSide, safeCount, safeCount, safeCount)
  .chain(([s, createTime, asks, bids, lastId, id, ts]) =>
    anyOrder([['symbol', s], ['createTime', createTime], ['asks', asks], ['bids', bids], ['lastId', lastId], ['id', id], ['ts', ts]]),
  )
  .map((item) => ({ channel: 'book_lv2', action: 'snapshot', data: [item] }));

const trade: fc.Arbitrary<Json> = fc
  .tuple(symbol, decimalText, decimalText, fc.constantFrom('buy', 'sell'), fc.oneof(safeCount, digits(1, 20)), decimalText, fc.oneof(idText, safeCount), safeCount)
  .chain(([s, amount, quantity, takerSide, createTime, price, id, ts]) =>
    anyOrder([['symbol', s], ['amount', amount], ['quantity', quantity], ['takerSide', takerSide], ['createTime', createTime], ['price', price], ['id', id], ['ts', ts]]),
  )
  .map((item) => ({ channel: 'trades', data: [item] }));

/** A ticker's keys in the exchange's order, each a decimal text or a count. */
const TICKER_KEYS: readonly [string, 'text' | 'count'][] = [
  ['startTime', 'count'],
  ['open', 'text'],
  ['high', 'text'],
  ['low', 'text'],
  ['close', 'text'],
  ['quantity', 'text'],
  ['amount', 'text'],
  ['tradeCount', 'count'],
  ['dailyChange', 'text'],
  ['markPrice', 'text'],
  ['closeTime', 'count'],
  ['ts', 'count'],
];

const ticker: fc.Arbitrary<Json> = fc
  .tuple(symbol, fc.array(signedDecimalText, { minLength: 12, maxLength: 12 }), fc.array(safeCount, { minLength: 12, maxLength: 12 }))
  .chain(([s, texts, counts]) =>
    anyOrder([['symbol', s], ...TICKER_KEYS.map(([k, type], i): [string, Json] => [k, type === 'text' ? (texts[i] as string) : (counts[i] as number)])]),
  )
  .map((item) => ({ channel: 'ticker', data: [item] }));

const anyMessage = fc.oneof(bookUpdate, bookSnapshot, trade, ticker);

describe('the v3 scanner', () => {
  agreementProperties(decoder, anyMessage, { seed: SEED, runs: RUNS, noun: 'message', moreOrFewer: 'a key more or fewer' });

  it('declines a data item with a key twice, which JSON.parse would read as its last value', () => {
    const d = decoder();
    const again = fc.tuple(anyMessage, fc.constantFrom('"symbol":"ETH_USDT"', '"id":7', '"asks":[]', '"bids":[["1","2"]]', '"price":"1"', '"ts":1', '"close":"1"', '"takerSide":"sell"'));
    fc.assert(
      fc.property(again, ([message, entry]) => {
        const text = JSON.stringify(message).replace('[{', `[{${entry},`);
        expect(d.scan(text), text).toBeUndefined();
        agreement(d, text);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('declines every spelling it does not plainly know, leaving the verdict to the full path', () => {
    const d = decoder();
    const item = '"symbol":"BTC_USDT","createTime":1,"asks":[["1","2"]],"bids":[],"lastId":1,"id":2,"ts":3';
    const declined = [
      `{"channel":"book_lv2","action":"update","data":[{${item}}]} `,
      `{"channel":"book_lv2","action":"update","data":[{${item.replace(',', ', ')}}]}`,
      `{"channel":"book_lv2", "action":"update","data":[{${item}}]}`,
      `{"action":"update","channel":"book_lv2","data":[{${item}}]}`, // envelope keys in another order
      `{"channel":"book_lv2","action":"update","data":[{${item}},{${item}}]}`, // two items
      `{"channel":"book_lv2","action":"update","data":[{${item}}],"event":"x"}`,
      `{"channel":"book_lv2","action":"snapshot","data":[{${item.replace(',"lastId":1', '')}}]}`, // the scanner wants every key
      `{"channel":"book_lv2","action":"snapshot","data":[{${item.replace('[["1","2"]]', '[["1","2","3"]]')}}]}`,
      `{"channel":"book_lv2","action":"snapshot","data":[{${item.replace('"asks":[["1","2"]]', '"asks":{"1":"2"}')}}]}`,
      `{"channel":"book_lv2","action":"update","data":[{${item},"extra":1}]}`,
      `{"channel":"book_lv2","action":"update","data":[{${item.replace(',"lastId":1', '')}}]}`,
      `{"channel":"book_lv2","action":"update","data":[{${item.replace('BTC_USDT', 'BTC_\\u0055SDT')}}]}`,
      `{"channel":"book_lv2","action":"update","data":[{${item.replace('BTC_USDT', 'XRP_USDT')}}]}`, // not listed
      `{"channel":"book_lv2","action":"update","data":[{${item.replace('[["1","2"]]', '[["1","2","3"]]')}}]}`,
      `{"channel":"book_lv2","action":"update","data":[{${item.replace('[["1","2"]]', '[[1,"2"]]')}}]}`,
      `{"channel":"book_lv2","action":"update","data":[{${item.replace('[["1","2"]]', '[["1","-2"]]')}}]}`,
      `{"channel":"book_lv2","action":"update","data":[{${item.replace('"id":2', '"id":2.0')}}]}`,
      `{"channel":"book_lv2","action":"update","data":[{${item.replace('"id":2', '"id":9007199254740992')}}]}`,
      `{"channel":"book_lv2","action":"update","data":[{${item.replace('"id":2', '"id":"2"')}}]}`,
      '{"channel":"trades","data":[{"symbol":"BTC_USDT","amount":"1","quantity":"1","takerSide":"BUY","createTime":1,"price":"1","id":"1","ts":1}]}',
      '{"channel":"trades","data":[{"symbol":"BTC_USDT","amount":"1","quantity":"1","takerSide":"buy","createTime":1,"price":"1","id":"1 ","ts":1}]}',
      '{"channel":"trades","data":[{"symbol":"BTC_USDT","amount":"1","quantity":"1","takerSide":"buy","createTime":"1e3","price":"1","id":"1","ts":1}]}',
      '{"channel":"ticker","data":[{"symbol":"BTC_USDT","startTime":1,"open":"1","high":"1","low":"1","close":1.5,"quantity":"1","amount":"1","tradeCount":1,"dailyChange":"1","markPrice":"1","closeTime":1,"ts":1}]}',
      '{"channel":"ticker","data":[{"symbol":"BTC_USDT","startTime":1,"open":"1","high":"1","low":"1","close":"1","quantity":"1","amount":"1","tradeCount":1,"dailyChange":"+1","markPrice":"1","closeTime":1,"ts":1}]}',
      '{"channel":"ticker","data":[{"symbol":"BTC_USDT","startTime":1,"open":"1","high":"1","low":"1","close":"1","quantity":"1","amount":"1","tradeCount":1,"dailyChange":"1","markPrice":"1","closeTime":1,"ts":"1"}]}',
      '{"channel":"ticker","action":"x","data":[{"symbol":"BTC_USDT"}]}',
      '{"event":"pong"}',
    ];
    for (const text of declined) {
      expect(d.scan(text), text).toBeUndefined();
      agreement(d, text);
    }
  });

  it('leaves a message too long for its byte buffer, or not all ASCII, to the full path, and takes the next one', () => {
    const d = decoder();
    const update = (asks: string): string =>
      `{"channel":"book_lv2","action":"update","data":[{"symbol":"BTC_USDT","createTime":1,"asks":[${asks}],"bids":[],"lastId":1,"id":2,"ts":3}]}`;
    const level = '["9123.75000000","0.03133175"]';
    const long = update(Array.from({ length: 2500 }, () => level).join(','));
    expect(long.length).toBeGreaterThan(64 * 1024);
    const plain = update(level);
    // Not all ASCII: a symbol, a trailing no-break space, a fullwidth digit.
    for (const text of [long, plain.replace('BTC_USDT', 'BTC_USDé'), `${plain}\u00a0`, plain.replace('9123', '９123')]) {
      expect(d.scan(text), text.slice(0, 80)).toBeUndefined();
      agreement(d, text);
      expect(agreement(d, plain)).toBe('taken');
    }
  });

  it('takes the data shapes of a recorded live session, and agrees on all', () => {
    const real = (JSON.parse(readFileSync(new URL('./fixtures/v3-real-shapes.json', import.meta.url), 'utf8')) as { messages: Record<string, Json> }).messages;
    const d = decoder();
    const taken = Object.entries(real).filter(([, message]) => agreement(d, JSON.stringify(message)) === 'taken');
    expect(taken.map(([name]) => name)).toEqual(['bookSnapshot', 'bookUpdate', 'trade', 'ticker']);
    for (const message of Object.values(V3_FRAMES)) agreement(d, JSON.stringify(message));
  });

  it("takes every snapshot, update, trade and ticker of the simulator's feed, and agrees on all", () => {
    const config = { seed: 15, pairs: 30, depth: 40 };
    const listing = new V3Listing(v3Market(config).pairs);
    const feed = new V3Feed(config.seed, config.pairs, config.depth, listing);
    const d = decoder({
      pairs: listing.symbols.map((entry) => entry.symbol),
      byId: new Map(),
      frozen: new Set(listing.symbols.filter((entry) => entry.state !== 'NORMAL').map((entry) => entry.symbol)),
    });
    const snapshots = listing.symbols.map((entry) => bookMessage('snapshot', feed.snapshot(entry)));
    const messages: string[] = [];
    for (let i = 0; i < 4000; i++) {
      const { entry, pieces } = feed.next();
      for (const piece of pieces) {
        if (piece.kind === 'book_lv2') messages.push(bookMessage('update', feed.update(entry, piece, false)));
        else messages.push(dataMessage(piece.kind, piece.item));
      }
    }
    expect(snapshots.filter((text) => agreement(d, text) === 'declined')).toEqual([]);
    expect(messages.filter((text) => agreement(d, text) === 'declined')).toEqual([]);
  });
});

describe('KnownNames, the scanner\'s lookup of a symbol by its bytes', () => {
  const bytesOf = (text: string): Uint8Array => new TextEncoder().encode(`"${text}",`);
  const lookUp = (names: KnownNames, text: string): string | undefined => TextScan.of(`"${text}",`, bytesOf(text)).knownName(names);

  it('gives back the list\'s own string for a listed name, nothing for any other, and reads nothing then', () => {
    const listed = ['BTC_USDT', 'ETH_USDT', 'A', 'SIMAAB_BTC'];
    const names = new KnownNames(listed.map((name) => name.slice()));
    for (const name of listed) expect(lookUp(names, name)).toBe(name);
    for (const other of ['BTC_USD', 'BTC_USDTT', 'btc_usdt', '', 'ETH_USDT ']) expect(lookUp(names, other)).toBeUndefined();
    const scan = TextScan.of('"XRP_USDT",', bytesOf('XRP_USDT'));
    expect(scan.knownName(names)).toBeUndefined();
    expect(scan.string()).toBe('XRP_USDT');
  });

  it('tells apart names whose hashes are the same', () => {
    // Find two names of one hash under a fixed seed (a 32-bit hash: some 80k names make one likely).
    const probe = new KnownNames([], 7);
    const seen = new Map<number, string>();
    let pair: [string, string] | undefined;
    for (let i = 0; pair === undefined && i < 1_000_000; i++) {
      const name = `P${i.toString(36)}_USDT`;
      const hash = probe.hashOf(name);
      const other = seen.get(hash);
      if (other !== undefined) pair = [other, name];
      else seen.set(hash, name);
    }
    expect(pair).toBeDefined();
    const [a, b] = pair as [string, string];
    const names = new KnownNames([a, b, 'BTC_USDT'], 7);
    expect(lookUp(names, a)).toBe(a);
    expect(lookUp(names, b)).toBe(b);
    expect(lookUp(names, 'BTC_USDT')).toBe('BTC_USDT');
    expect(lookUp(new KnownNames([a], 7), b)).toBeUndefined();
  });
});
