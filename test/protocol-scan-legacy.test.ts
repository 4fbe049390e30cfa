import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LegacyDecoder } from '../src/protocol/legacy.js';
import { parseLegacyTickerMap } from '../src/markets/legacy.js';
import { Market } from '../src/sim/market.js';
import { encodeBookUpdate, encodeSnapshot, encodeTicker } from '../src/sim/legacy.js';
import type { MarketMap } from '../src/protocol/types.js';
import { LEGACY_FRAMES, LEGACY_MARKETS, type Json } from './helpers/hostile-frames.js';
import { agreement, agreementProperties, decimalText, digits, ready, safeCount, signedDecimalText } from './helpers/scan-agreement.js';

/**
 * Issue 15, legacy: book frames of "o", "t" and "i" items and ticker frames are read without JSON.parse,
 * to exactly the events the full path gives them; whatever else arrives, or whatever is spelled
 * otherwise, goes to the full path, so its errors and warnings stay as they were. Fixed seeds.
 */

const SEED = 20261125;
const RUNS = 500;

const decoder = (markets: MarketMap = LEGACY_MARKETS): LegacyDecoder => ready(new LegacyDecoder(), markets);

const side = fc.constantFrom(0, 1);
const epoch = fc.option(digits(13, 13), { nil: undefined });
const withEpoch = (item: Json[], stamp: string | undefined): Json[] => (stamp === undefined ? item : [...item, stamp]);

const levelItem: fc.Arbitrary<Json[]> = fc
  .tuple(side, decimalText, decimalText, epoch)
  .map(([s, price, size, stamp]) => withEpoch(['o', s, price, size], stamp));

const tradeItem: fc.Arbitrary<Json[]> = fc
  .tuple(fc.oneof(digits(1, 30), safeCount), side, decimalText, decimalText, fc.oneof(safeCount, digits(1, 30)), epoch)
  .map(([id, s, price, size, time, stamp]) => withEpoch(['t', id, s, price, size, time], stamp));

/**
 * A side of a snapshot: price -> size, sizes as text, prices with a point (one without is an
 * integer key, which Object.keys would put first: that the scanner declines, tested below).
 */
const snapshotSide: fc.Arbitrary<Record<string, Json>> = fc
  .array(fc.tuple(decimalText.map((p) => (p.includes('.') ? p : `${p}.5`)), decimalText), { maxLength: 8 })
  .map((levels) => Object.fromEntries(levels));

const snapshotItem: fc.Arbitrary<Json[]> = fc
  .tuple(fc.option(fc.constantFrom('BTC_ETH', 'USDT_BTC'), { nil: undefined }), snapshotSide, snapshotSide, epoch)
  .map(([pair, asks, bids, stamp]) => withEpoch(['i', pair === undefined ? { orderBook: [asks, bids] } : { currencyPair: pair, orderBook: [asks, bids] }], stamp));

/** A pair's book frame as the exchange sends it: known pair, levels and trades (a snapshot now and then), with and without stamps. */
const bookFrame: fc.Arbitrary<Json> = fc.tuple(
  fc.constantFrom(148, 121),
  safeCount,
  fc.array(fc.oneof({ arbitrary: levelItem, weight: 5 }, { arbitrary: tradeItem, weight: 5 }, { arbitrary: snapshotItem, weight: 1 }), { maxLength: 6 }),
);

/** A ticker frame: 10 columns or 12, isFrozen (and postOnly, maintenanceMode) numbers or text. */
const tickerFrame: fc.Arbitrary<Json> = fc
  .tuple(fc.constantFrom(148, 121), fc.array(signedDecimalText, { minLength: 8, maxLength: 8 }), fc.oneof(fc.constantFrom(0, 1), fc.constantFrom('0', '1')), fc.boolean())
  .map(([id, [last, ask, bid, change, base, quote, high, low], frozen, long]) => [
    1002,
    null,
    [id, last, ask, bid, change, base, quote, frozen, high, low, ...(long ? [0, 1] : [])] as Json[],
  ]);

const anyFrame = fc.oneof(bookFrame, tickerFrame);

describe('the legacy scanner', () => {
  agreementProperties(decoder, anyFrame, { seed: SEED, runs: RUNS, noun: 'frame', moreOrFewer: 'one more or fewer' });

  it('declines every spelling it does not plainly know, leaving the verdict to the full path', () => {
    const d = decoder();
    const declined = [
      '[148, 5,[["o",1,"0.1","2"]]]', // whitespace
      '[148,5,[["o",1,"0.1","2"]]]\n',
      '\ufeff[148,5,[["o",1,"0.1","2"]]]',
      '[148,5,[["o",1,"0.\\u0031","2"]]]', // an escape JSON.parse would turn into a valid price
      '[148,5,[["\\u006f",1,"0.1","2"]]]',
      '[148,5,[["o",1,0.1,"2"]]]', // a number for a price
      '[148,5,[["o",1.0,"0.1","2"]]]',
      '[148,5,[["o",2,"0.1","2"]]]',
      '[148,5,[["o",1,"0.1","2",1580000000000]]]', // a stamp as a number
      '[148,5,[["o",1,"0.1","2","1580000000000","x"]]]',
      '[148,5,[["o",1,"0.1"]]]',
      '[148,9007199254740992,[["o",1,"0.1","2"]]]', // past 2^53 - 1
      '[148,1e3,[["o",1,"0.1","2"]]]',
      '[148,-0,[["o",1,"0.1","2"]]]',
      '[148,05,[["o",1,"0.1","2"]]]',
      '[148,5,[["t","1",1,"0.1","2",-1]]]',
      `[148,5,[["t","${'1'.repeat(31)}",1,"0.1","2",1]]]`,
      `[148,5,[["o",1,"${'1'.repeat(41)}","2"]]]`,
      // Snapshots JSON.parse and Object.keys would give otherwise than in the order sent, or that are spelled otherwise:
      '[148,5,[["i",{"currencyPair":"BTC_ETH","orderBook":[{"4.5":"1","5":"2"},{}]}]]]', // an integer price: Object.keys puts it first
      '[148,5,[["i",{"currencyPair":"BTC_ETH","orderBook":[{"4.5":"1","4.6":"3","4.5":"2"},{}]}]]]', // a price twice: the last size, at the first place
      '[148,5,[["i",{"orderBook":[{"4.5":"1"},{}],"currencyPair":"BTC_ETH"}]]]', // keys in another order
      '[148,5,[["i",{"currencyPair":"BTC_ETH","orderBook":[{"4.5":"1"},{}],"x":1}]]]', // another key
      '[148,5,[["i",{"currencyPair":"BTC_ETH","orderBook":[{"4.5":1},{}]}]]]', // a number for a size
      '[148,5,[["i",{"currencyPair":"BTC_ETH","orderBook":[{"4.5":"1"},{},{}]}]]]', // three sides
      '[148,5,[["i",{"currencyPair":"BTC_ETH","orderBook":[{"__proto__":"1"},{}]}]]]',
      '[148,5,[["i",{"currencyPair":"BTC_\\u0045TH","orderBook":[{},{}]}]]]',
      '[999,5,[["o",1,"0.1","2"]]]', // unknown pair: the full path asks for the market list
      '[1010,5,[["o",1,"0.1","2"]]]',
      '[1003,null,["2020-01-26 12:00",12345,{}]]',
      '[148,1]',
      '[1010]',
      '[1002,null,[148,"1","1","1","1","1","1",0,"1"]]', // 9 columns
      '[1002,null,[148,"1","1","1","1","1","1",0,"1","1",0]]', // 11
      '[1002,null,[148,"1","1","1","1","1","1",0,"1","1",0,0,0]]', // 13
      '[1002,null,[148,"1","1","1","1","1","1",12345678901234567,"1","1"]]',
      '[1002,null,[148,"1","1","1","1","1","1",0.5,"1","1"]]',
      '[1002,null,[148,"1","1","1","1","1","1",null,"1","1"]]',
      '[1002,null,[148,"1","1","1","1","1","1",true,"1","1"]]',
      '[1002,null,[148,"1","1","1","1","1","1",-1,"1","1"]]',
      '[1002,null,["148","1","1","1","1","1","1",0,"1","1"]]',
      '[1002,0,[148,"1","1","1","1","1","1",0,"1","1"]]',
      '[1002,null,[148,"1e5","1","1","1","1","1",0,"1","1"]]',
    ];
    for (const text of declined) {
      expect(d.scan(text), text).toBeUndefined();
      agreement(d, text);
    }
  });

  it('reads the heartbeat and stats channels as such even if a listed pair has their number, as the full path does', () => {
    const d = decoder({ pairs: ['BTC_A', 'BTC_B'], byId: new Map([['1010', 'BTC_A'], ['1003', 'BTC_B']]), frozen: new Set() });
    expect(d.decode('[1010,5,[["o",1,"0.1","2"]]]')).toStrictEqual({ ok: true, events: [{ kind: 'heartbeat' }] });
    expect(d.decode('[1003,5,[["o",1,"0.1","2"]]]')).toStrictEqual({ ok: true, events: [{ kind: 'ignored' }] });
  });

  it('takes the frames of a recorded session, snapshots included, and agrees on all', async () => {
    const session = JSON.parse(readFileSync(new URL('./fixtures/legacy-session.json', import.meta.url), 'utf8')) as { tickerMap: unknown; frames: string[] };
    const d = decoder(await parseLegacyTickerMap(session.tickerMap, 'legacy-session.json'));
    const taken = session.frames.filter((text) => agreement(d, text) === 'taken');
    const common = session.frames.filter((text) => text !== '[1010]');
    expect(taken).toEqual(common);
    for (const text of Object.values(LEGACY_FRAMES)) agreement(d, JSON.stringify(text));
  });

  it("takes every snapshot, update and ticker of the simulator's feed, and agrees on all", () => {
    const market = new Market({ seed: 15, pairs: 30, depth: 40 });
    const d = decoder({ pairs: market.pairs.map((p) => p.name), byId: new Map(market.pairs.map((p) => [String(p.id), p.name])), frozen: new Set() });
    const snapshots = market.pairs.map((pair) => encodeSnapshot(market.snapshot(pair.id), 'mixed'));
    const updates: string[] = [];
    for (let i = 0; i < 4000; i++) {
      const event = market.next();
      updates.push(event.kind === 'book' ? encodeBookUpdate(event, 'mixed') : encodeTicker(event));
    }
    expect(snapshots.filter((text) => agreement(d, text) === 'declined')).toEqual([]);
    expect(updates.filter((text) => agreement(d, text) === 'declined')).toEqual([]);
  });
});
