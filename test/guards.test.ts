import { describe, expect, it } from 'vitest';
import { forTesting as legacyChecks } from '../src/protocol/legacy.js';
import { legacySchemas } from '../src/protocol/legacy-schemas.js';
import { forTesting as v3Checks } from '../src/protocol/v3.js';
import { v3Schemas } from '../src/protocol/v3-schemas.js';
import { forTesting as legacyMarkets } from '../src/markets/legacy.js';
import { forTesting as v3Markets } from '../src/markets/v3.js';
import { tickerEntrySchema, v3MarketsSchema } from '../src/markets/market-schemas.js';
import { DECIMAL_PATTERN } from '../src/book/decimal.js';
import { INTEGER_TEXT, isDecimalText, isIntegerText } from '../src/protocol/guards.js';

const legacy = { ...legacyChecks, ...legacySchemas };
const v3 = { ...v3Checks, ...v3Schemas };

// The hot path checks items by hand; zod stays the definition. Whatever the fast check accepts,
// the schema must accept too, and the decoded values must be the same.
const decimals = ['0.02100000', '1', '403171621.65163678', '0', '-1', '1e-8', '', ' 1', '1.', 0.5, null, '__proto__'];
const sides = [0, 1, 2, '1', true, -1];

describe('hot-path checks agree with the zod schemas', () => {
  it('market lists: the v3 /markets body and the legacy ticker map entries', () => {
    const symbols = ['BTC_USDT', '', 1, null, undefined, ['BTC_USDT']];
    const states = ['NORMAL', 'PAUSE', undefined, 1, null];
    let accepted = 0;
    for (const symbol of symbols) {
      for (const state of states) {
        for (const body of [[{ symbol, state }], [{ symbol, state }, { symbol: 'ETH_USDT' }], [{ symbol, state, extra: 1 }], [[symbol]], [null], { symbol }]) {
          const fast = v3Markets.plainMarkets(body);
          if (fast === undefined) continue;
          accepted++;
          const parsed = v3MarketsSchema.safeParse(body);
          expect(parsed.success, JSON.stringify(body)).toBe(true);
          expect(fast.map((m) => [m.symbol, m.state])).toEqual(parsed.data?.map((m) => [m.symbol, m.state]));
        }
      }
    }
    expect(accepted).toBeGreaterThan(3);
    accepted = 0;
    for (const id of [148, '148', 0, -1, 1.5, Number.MAX_SAFE_INTEGER + 1, '1'.repeat(30), '1'.repeat(31), '', '0x1', null, undefined]) {
      for (const entry of [{ id }, { id, last: '1' }, [id], null]) {
        if (!legacyMarkets.isPlainEntry(entry)) continue;
        accepted++;
        expect(tickerEntrySchema.safeParse(entry).success, JSON.stringify(entry)).toBe(true);
      }
    }
    expect(accepted).toBeGreaterThan(5);
  });

  it('legacy level and trade items', () => {
    let accepted = 0;
    for (const price of decimals) {
      for (const size of decimals) {
        for (const side of sides) {
          for (const item of [
            ['o', side, price, size],
            ['o', side, price, size, '1580000000123'],
            ['o', side, price],
            ['t', '42', side, price, size, 1580000000],
            ['t', 42, side, price, size, '1580000000', '1580000000123'],
            ['t', 'x42', side, price, size, 1580000000],
            ['t', '42', side, price, size, null],
            ['t', 4.2, side, price, size, 1],
          ]) {
            const fast = legacy.fastItem(item);
            if (fast === undefined) continue;
            accepted++;
            const schema = item[0] === 'o' ? legacy.levelItem : legacy.tradeItem;
            expect(schema.safeParse(item).success, JSON.stringify(item)).toBe(true);
          }
        }
      }
    }
    expect(accepted).toBeGreaterThan(50);
  });

  it('v3 envelopes', () => {
    for (const channel of ['book_lv2', 1, undefined]) {
      for (const action of ['update', undefined, 7]) {
        for (const data of [[], [{}], 'x', undefined]) {
          const message = { channel, action, data };
          const fast = v3.fastEnvelope(message);
          if (fast === undefined) continue;
          const parsed = v3.envelope.safeParse(message);
          expect(parsed.success, JSON.stringify(message)).toBe(true);
          expect(fast).toEqual(parsed.data);
        }
      }
    }
  });

  it('v3 book, trade and ticker items', () => {
    const levels = [undefined, [], [['1.5', '2']], [['1.5', '2', 'extra']], [['1.5']], [[1.5, '2']], 'x', [['-1', '2']]];
    const ids = [1, 0, -1, 1.5, '7', undefined, Number.MAX_SAFE_INTEGER + 2];
    for (const asks of levels) {
      for (const id of ids) {
        for (const lastId of ids) {
          const item = { symbol: 'BTC_USDT', asks, bids: [['1', '1']], id, lastId };
          const fast = v3.fastBookItem(item);
          if (fast !== undefined) expect(v3.bookItem.safeParse(item).success, JSON.stringify(item)).toBe(true);
        }
      }
    }
    for (const price of decimals) {
      for (const takerSide of ['buy', 'sell', 'BUY', undefined]) {
        for (const id of ['1', 1, null]) {
          const item = { symbol: 'BTC_USDT', id, price, quantity: '0.5', takerSide, createTime: 1676950548834 };
          const fast = v3.fastTradeItem(item);
          if (fast === undefined) continue;
          const parsed = v3.tradeItem.safeParse(item);
          expect(parsed.success, JSON.stringify(item)).toBe(true);
          expect(fast).toEqual(parsed.data);
        }
      }
    }
    for (const close of ['1', 1, null, undefined, true]) {
      const item = { symbol: 'BTC_USDT', close, high: '2', low: '0.5', amount: '3', quantity: '4', dailyChange: '-0.01' };
      const fast = v3.fastTickerItem(item);
      if (fast === undefined) continue;
      const parsed = v3.tickerItem.safeParse(item);
      expect(parsed.success).toBe(true);
      expect(fast).toEqual(parsed.data);
    }
  });
});

describe('legacy ticker hot path', () => {
  it('accepts only what the ticker schema accepts', () => {
    const values: unknown[] = ['1', 1, null, true, {}, [], undefined];
    for (const id of [148, '148', -1, 1.5, 'x']) {
      for (const v of values) {
        const row = [id, '1', v, '1', '1', '1', '1', 0, '1', '1'];
        const fast = legacy.fastTickerColumns(row);
        if (fast === undefined) continue;
        expect(legacy.tickerFrame.safeParse([1002, null, row]).success, JSON.stringify(row)).toBe(true);
      }
    }
    expect(legacy.fastTickerColumns([148, '1', '1'])).toBeUndefined();
  });
});

describe('character-loop guards agree with the patterns', () => {
  it('isDecimalText is DECIMAL_PATTERN and isIntegerText is INTEGER_TEXT, on every short string of digits, points and others', () => {
    const alphabet = ['0', '7', '.', '-', 'e', ' ', '٣'];
    const strings: string[] = [''];
    for (let length = 1; length <= 5; length++) {
      const start = strings.length;
      for (const base of strings.slice(strings.findIndex((s) => s.length === length - 1), start)) for (const c of alphabet) strings.push(base + c);
    }
    strings.push('1'.repeat(40), '1'.repeat(41), `1.${'2'.repeat(40)}`, `1.${'2'.repeat(41)}`, '9'.repeat(30), '9'.repeat(31));
    for (const text of strings) {
      expect(isDecimalText(text), JSON.stringify(text)).toBe(DECIMAL_PATTERN.test(text));
      expect(isIntegerText(text), JSON.stringify(text)).toBe(INTEGER_TEXT.test(text));
    }
    expect(strings.length).toBeGreaterThan(19_000);
  });
});
