import { describe, expect, it } from 'vitest';
import { OrderBook } from '../src/book/book.js';
import { compareDecimal, isZeroDecimal } from '../src/book/decimal.js';
import { isDecimalText } from '../src/protocol/guards.js';

describe('decimal strings', () => {
  it('orders prices by exact value, including ones a float cannot tell apart', () => {
    const a = '0.123456789012345678';
    const b = '0.123456789012345679';
    expect(Number(a)).toBe(Number(b));
    expect(compareDecimal(a, b)).toBeLessThan(0);
    expect(compareDecimal('10.5', '9.99999999')).toBeGreaterThan(0);
    expect(compareDecimal('0.00001240', '0.0000124')).toBe(0);
  });

  it('treats every spelling of zero as zero and nothing else', () => {
    for (const zero of ['0', '0.00000000', '000.0', '0.0']) expect(isZeroDecimal(zero)).toBe(true);
    for (const nonZero of ['0.00000001', '1', '10.00000000']) expect(isZeroDecimal(nonZero)).toBe(false);
  });

  it('accepts plain decimals only', () => {
    expect(isDecimalText('403171621.65163678')).toBe(true);
    for (const bad of ['', '-1', '1e-8', '0x10', '1.', '.5', ' 1', '__proto__', 'NaN']) expect(isDecimalText(bad)).toBe(false);
  });
});

describe('OrderBook', () => {
  it('keeps asks ascending and bids descending whatever order levels arrive in', () => {
    const book = new OrderBook();
    book.reset(
      [
        { price: '0.02200000', size: '1' },
        { price: '0.02100000', size: '2' },
        { price: '0.02150000', size: '3' },
      ],
      [
        { price: '0.01900000', size: '4' },
        { price: '0.02000000', size: '5' },
        { price: '0.01950000', size: '6' },
      ],
    );
    expect(book.top('ask', 3).map((l) => l.price)).toEqual(['0.02100000', '0.02150000', '0.02200000']);
    expect(book.top('bid', 3).map((l) => l.price)).toEqual(['0.02000000', '0.01950000', '0.01900000']);
  });

  it('keeps the exchange strings exactly, sizes beyond float precision included', () => {
    const book = new OrderBook();
    book.set('bid', '9876.54321000', '403171621.65163678');
    expect(book.best('bid')).toEqual({ price: '9876.54321000', size: '403171621.65163678' });
  });

  it('never merges two distinct prices into one level', () => {
    const book = new OrderBook();
    book.set('ask', '1.000000000000000001', '1');
    book.set('ask', '1.000000000000000002', '2');
    book.set('ask', '1', '3');
    expect(book.top('ask', 5)).toEqual([
      { price: '1', size: '3' },
      { price: '1.000000000000000001', size: '1' },
      { price: '1.000000000000000002', size: '2' },
    ]);
  });

  it('changes a level in place and removes it on a zero size', () => {
    const book = new OrderBook();
    book.set('bid', '0.5', '1');
    book.set('bid', '0.4', '1');
    book.set('bid', '0.50000000', '7');
    expect(book.top('bid', 5)).toEqual([
      { price: '0.50000000', size: '7' },
      { price: '0.4', size: '1' },
    ]);
    book.set('bid', '0.50000000', '0.00000000');
    expect(book.top('bid', 5)).toEqual([{ price: '0.4', size: '1' }]);
    book.set('bid', '0.3', '0');
    expect(book.bids.size).toBe(1);
  });

  it('treats a "__proto__" or "constructor" key as just another key', () => {
    const book = new OrderBook();
    // Not valid prices (the decoder refuses them); the book still must not touch Object.prototype.
    book.set('ask', '__proto__', '1');
    book.set('ask', 'constructor', '2');
    expect(book.asks.size).toBe(2);
    expect(({} as Record<string, unknown>).constructor).toBe(Object);
  });

  it('ignores zero-size levels in a snapshot', () => {
    const book = new OrderBook();
    book.reset([{ price: '1', size: '0.00000000' }], [{ price: '0.9', size: '2' }]);
    expect(book.asks.size).toBe(0);
    expect(book.best('bid')?.price).toBe('0.9');
  });
});

describe('exact subtraction (the spread)', () => {
  it('subtracts decimals of any scale without a float', async () => {
    const { subtractDecimal } = await import('../src/book/decimal.js');
    expect(subtractDecimal('0.02100000', '0.02090000')).toBe('0.00010000');
    expect(subtractDecimal('24983.89', '24980.1')).toBe('3.79');
    expect(subtractDecimal('403171621.65163678', '0.00000001')).toBe('403171621.65163677');
    expect(subtractDecimal('1', '1.5')).toBe('-0.5');
    expect(subtractDecimal('100', '99')).toBe('1');
  });
});

describe('decimal comparison in any spelling', () => {
  it('compares by value without canonicalizing first', async () => {
    const { compareDecimal } = await import('../src/book/decimal.js');
    const sign = (n: number) => Math.sign(n);
    expect(sign(compareDecimal('0.1', '0.10000000'))).toBe(0);
    expect(sign(compareDecimal('007.5', '7.50'))).toBe(0);
    expect(sign(compareDecimal('10', '9.99999999'))).toBe(1);
    expect(sign(compareDecimal('0.00000001', '0'))).toBe(1);
    expect(sign(compareDecimal('1.000000000000000001', '1.000000000000000002'))).toBe(-1);
    expect(sign(compareDecimal('24983.89', '24983.9'))).toBe(-1);
    expect(sign(compareDecimal('0', '0.0'))).toBe(0);
  });
});

describe('book order with prices a double cannot tell apart', () => {
  it('sorts exactly whatever order they arrive in', () => {
    const prices = ['1.000000000000000002', '0.999999999999999999', '1.1', '1', '1.000000000000000001', '0.9', '1.0000000000000000015'];
    for (let shift = 0; shift < prices.length; shift++) {
      const book = new OrderBook();
      const rotated = [...prices.slice(shift), ...prices.slice(0, shift)];
      for (const price of rotated) {
        book.set('ask', price, '1');
        book.set('bid', price, '1');
      }
      const ascending = ['0.9', '0.999999999999999999', '1', '1.000000000000000001', '1.0000000000000000015', '1.000000000000000002', '1.1'];
      expect(book.top('ask', 10).map((l) => l.price)).toEqual(ascending);
      expect(book.top('bid', 10).map((l) => l.price)).toEqual([...ascending].reverse());
      book.set('ask', '1.00000000000000000100', '0');
      expect(book.top('ask', 10).map((l) => l.price)).toEqual(ascending.filter((p) => p !== '1.000000000000000001'));
    }
  });
});

/** A tiny deterministic generator, so a failure repeats. */
function rng(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
}

describe('OrderBook against a plain model', () => {

  it('matches a sorted list after random changes, whatever the spellings and whenever order is first asked for', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const random = rng(seed);
      const book = new OrderBook();
      // Model: canonical value -> the latest text and size.
      const model = new Map<string, { price: string; size: string }>();
      const mixed = seed % 2 === 0;
      const orderAt = Math.floor(random() * 400);
      for (let step = 0; step < 400; step++) {
        const cents = 100 + Math.floor(random() * 60);
        let price = `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}000000`;
        if (mixed && random() < 0.3) price = price.replace(/0+$/, '').replace(/\.$/, '');
        if (mixed && random() < 0.1) price = `0${price}`;
        const size = random() < 0.3 ? '0.00000000' : `${1 + Math.floor(random() * 9)}.5`;
        book.set('ask', price, size);
        book.set('bid', price, size);
        const key = price.replace(/^0+(?=\d)/, '').replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '');
        if (isZeroDecimal(size)) model.delete(key);
        else model.set(key, { price, size });
        if (step === orderAt) book.best('ask');
        if (step % 50 === 49 || step === 399) {
          const ascending = [...model.values()].sort((a, b) => compareDecimal(a.price, b.price));
          expect(book.top('ask', 1000), `seed ${seed} step ${step}`).toEqual(ascending);
          expect(book.top('bid', 1000), `seed ${seed} step ${step}`).toEqual([...ascending].reverse());
          for (const n of [1, 3, 16, 17]) {
            expect(book.top('ask', n)).toEqual(ascending.slice(0, n));
            expect(book.top('bid', n)).toEqual([...ascending].reverse().slice(0, n));
          }
          expect(book.best('ask')).toEqual(ascending[0]);
          expect(book.asks.size).toBe(model.size);
        }
      }
    }
  });
});

describe('a side asked for its best level after every change', () => {
  it('gives the best level whether the side is small (its best key alone) or grows past 64 levels (kept in order) and shrinks again', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const random = rng(seed);
      const book = new OrderBook();
      const model = new Map<number, string>();
      // Grows towards 150 levels, then shrinks: the side passes 64 both ways.
      for (let step = 0; step < 1500; step++) {
        const growing = step < 700;
        const cents = 1000 + Math.floor(random() * 150);
        const remove = random() < (growing ? 0.25 : 0.75);
        const size = remove ? '0' : `${1 + Math.floor(random() * 9)}.25`;
        const price = `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
        book.set('bid', price, size);
        book.set('ask', price, size);
        if (remove) model.delete(cents);
        else model.set(cents, size);
        const sorted = [...model.keys()].sort((a, b) => a - b);
        const level = (c: number | undefined) => (c === undefined ? undefined : { price: `${Math.floor(c / 100)}.${String(c % 100).padStart(2, '0')}`, size: model.get(c) });
        expect(book.best('ask'), `seed ${seed} step ${step}`).toEqual(level(sorted[0]));
        expect(book.best('bid'), `seed ${seed} step ${step}`).toEqual(level(sorted[sorted.length - 1]));
        expect(book.bestPrice('ask')).toBe(level(sorted[0])?.price);
      }
    }
  });
});

describe('a side that keeps its order', () => {
  // No timed assertion (shared machines): a quadratic side took 13-32 s here, so the test's own timeout catches it.
  it('takes 100k new best asks, then their removal, in one update each', () => {
    const book = new OrderBook();
    book.reset([{ price: '200000', size: '1' }], [{ price: '1', size: '1' }]);
    book.best('ask'); // from here on the ask side keeps its order
    for (let p = 199_999; p > 99_999; p--) book.set('ask', String(p), '1');
    expect(book.best('ask')).toEqual({ price: '100000', size: '1' });
    for (let p = 100_000; p < 200_000; p++) book.set('ask', String(p), '0');
    expect(book.top('ask', 2)).toEqual([{ price: '200000', size: '1' }]);
  });

  it('stays in exact order through inserts and removals across many chunks, spellings mixed', () => {
    const book = new OrderBook();
    book.reset([], []);
    book.best('bid');
    const model = new Map<number, string>();
    let seed = 7;
    const next = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    for (let i = 0; i < 20_000; i++) {
      const units = next() % 3000;
      const price = next() % 2 === 0 ? (units / 100).toFixed(2) : String(units / 100);
      const remove = next() % 3 === 0;
      book.set('bid', price, remove ? '0' : '1');
      if (remove) model.delete(units);
      else model.set(units, price);
    }
    const expected = [...model.keys()].sort((a, b) => b - a).map((units) => model.get(units));
    expect(book.top('bid', 100_000).map((level) => level.price)).toEqual(expected);
  });
});
