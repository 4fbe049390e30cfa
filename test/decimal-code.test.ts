import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { codeText, codeValue, decimalCode, isZeroCode, readCodes } from '../src/protocol/decimal-code.js';
import { canonicalDecimal, compareDecimal, isZeroDecimal } from '../src/book/decimal.js';
import { OrderBook } from '../src/book/book.js';

/** Plain decimals as exchanges write them, and their odd spellings: leading zeros, trailing zeros, 0 to 40 digits a part. */
const digits = (min: number, max: number): fc.Arbitrary<string> => fc.string({ unit: fc.constantFrom('0', '1', '5', '9', '3'), minLength: min, maxLength: max });
const decimal = fc
  .tuple(digits(1, 20), fc.option(digits(1, 26), { nil: undefined }))
  .map(([whole, fraction]) => (fraction === undefined ? whole : `${whole}.${fraction}`));

describe('decimal codes', () => {
  it('give back exactly the text they were made from, or refuse it', () => {
    fc.assert(
      fc.property(decimal, (text) => {
        const code = decimalCode(text);
        if (code < 0) return;
        expect(codeText(code)).toBe(text);
        expect(isZeroCode(code)).toBe(isZeroDecimal(text));
      }),
      { numRuns: 2000 },
    );
  });

  it('refuse only what they cannot hold: a redundant leading zero, more digits than a double holds, not a plain decimal', () => {
    for (const text of ['0', '0.5', '9100.00000000', '0.00001240', '123456789012345', '0.0000000000000000000001'])
      expect(decimalCode(text), text).toBeGreaterThanOrEqual(0);
    for (const text of ['', '01.5', '00', '1.', '.5', '-1', '1e-8', '__proto__', ' 1', '1234567890123456', '0.00000000000000000000001'])
      expect(decimalCode(text), text).toBe(-1);
  });

  it('share one canonical code exactly when the values are equal, and order by value as the exact comparison does', () => {
    fc.assert(
      fc.property(decimal, decimal, (a, b) => {
        const ra = { code: -1, canonical: -1 };
        const rb = { code: -1, canonical: -1 };
        if (!readCodes(a, ra) || !readCodes(b, rb)) return;
        const exact = Math.sign(compareDecimal(a, b));
        expect(ra.canonical === rb.canonical).toBe(exact === 0);
        expect(codeText(ra.canonical)).toBe(canonicalDecimal(a));
        expect(Math.sign(codeValue(ra.canonical) - codeValue(rb.canonical))).toBe(exact);
        expect(codeValue(ra.code)).toBe(codeValue(ra.canonical));
      }),
      { numRuns: 5000 },
    );
  });

  it('tell apart neighbours at the most digits they hold (15 below 2^48, else 14)', () => {
    const a = decimalCode('0.99999999999999');
    const b = decimalCode('0.99999999999998');
    expect(codeValue(a)).toBeGreaterThan(codeValue(b));
    expect(codeValue(decimalCode('281474976710.655'))).toBeGreaterThan(codeValue(decimalCode('281474976710.654')));
  });
});

describe('a book side with coded and uncoded prices', () => {
  it('moves to exchange text at the first price without a code and back to codes after its next snapshot', () => {
    const book = new OrderBook();
    book.reset([{ price: '1.5', size: '2' }, { price: '1.25', size: '1' }], []);
    book.set('ask', '1.2500000000000000001', '7'); // 20 significant digits: no code
    book.set('ask', '1.50', '3'); // one level with "1.5", in the latest spelling
    expect(book.top('ask', 5)).toEqual([
      { price: '1.25', size: '1' },
      { price: '1.2500000000000000001', size: '7' },
      { price: '1.50', size: '3' },
    ]);
    book.reset([{ price: '2.0', size: '1' }], []);
    book.set('ask', '2', '4');
    expect(book.top('ask', 5)).toEqual([{ price: '2', size: '4' }]);
    expect(book.asks.size).toBe(1);
  });

  it('keeps every level reachable through many removals and regrowth (hash table against a plain model)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 1500 }), fc.boolean(), fc.constantFrom('1', '2.50', '99999999999.99999999')), { minLength: 200, maxLength: 4000 }), (steps) => {
        const book = new OrderBook();
        const model = new Map<number, string>();
        for (const [units, remove, size] of steps) {
          book.set('bid', (units / 100).toFixed(2), remove ? '0.00' : size);
          if (remove) model.delete(units);
          else model.set(units, size);
        }
        const expected = [...model.entries()].sort((x, y) => y[0] - x[0]).map(([units, size]) => ({ price: (units / 100).toFixed(2), size }));
        expect(book.top('bid', 10_000)).toEqual(expected);
        expect(book.bids.size).toBe(model.size);
        book.clear();
        expect(book.top('bid', 5)).toEqual([]);
      }),
      { numRuns: 60 },
    );
  });
});
