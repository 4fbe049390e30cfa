import { describe, expect, it } from 'vitest';
import { BookProcessor } from '../src/book/processor.js';
import { PrintCollector, type PrintEvent } from './helpers/prints.js';
import type { BookItem, FeedEvent } from '../src/protocol/types.js';

const snapshot = (pair: string, seq: number): FeedEvent => ({
  kind: 'book',
  pair,
  seq,
  prevSeq: undefined,
  items: [
    {
      kind: 'snapshot',
      asks: [
        { price: '0.02200000', size: '1.00000000' },
        { price: '0.02100000', size: '2.00000000' },
      ],
      bids: [
        { price: '0.01900000', size: '3.00000000' },
        { price: '0.02000000', size: '4.00000000' },
      ],
    },
  ],
});
const level = (pair: string, seq: number, price: string, size: string): FeedEvent => ({
  kind: 'book',
  pair,
  seq,
  prevSeq: undefined,
  items: [{ kind: 'level', side: 'bid', price, size }],
});

function run(processor: BookProcessor, events: FeedEvent[]): { prints: PrintEvent[]; gaps: string[] } {
  const printer = new PrintCollector();
  const gaps: string[] = [];
  for (const event of events) {
    const gap = processor.apply(event, printer);
    if (gap) gaps.push(gap.pair);
  }
  return { prints: printer.prints, gaps };
}

describe('BookProcessor', () => {
  it('prints the best levels of a snapshot, best first, --depth per side', () => {
    const { prints } = run(new BookProcessor({ depth: 2, top: false }), [snapshot('BTC_ETH', 100)]);
    expect(prints).toEqual([
      {
        kind: 'book',
        pair: 'BTC_ETH',
        asks: [
          { price: '0.02100000', size: '2.00000000' },
          { price: '0.02200000', size: '1.00000000' },
        ],
        bids: [
          { price: '0.02000000', size: '4.00000000' },
          { price: '0.01900000', size: '3.00000000' },
        ],
      },
    ]);
  });

  it('applies in-sequence changes and prints a zero size as a removal', () => {
    const processor = new BookProcessor({ depth: 1, top: false });
    const { prints } = run(processor, [snapshot('BTC_ETH', 100), level('BTC_ETH', 101, '0.02050000', '9.5'), level('BTC_ETH', 102, '0.02000000', '0.00000000')]);
    expect(prints.slice(1)).toEqual([
      { kind: 'change', pair: 'BTC_ETH', side: 'bid', price: '0.02050000', size: '9.5' },
      { kind: 'remove', pair: 'BTC_ETH', side: 'bid', price: '0.02000000' },
    ]);
    expect(processor.book('BTC_ETH')?.top('bid', 3).map((l) => l.price)).toEqual(['0.02050000', '0.01900000']);
  });

  it('drops a duplicate (seq at or below the last) without touching the book', () => {
    const processor = new BookProcessor({ depth: 1, top: false });
    const { prints, gaps } = run(processor, [snapshot('BTC_ETH', 100), level('BTC_ETH', 101, '0.5', '1'), level('BTC_ETH', 101, '0.5', '2'), level('BTC_ETH', 99, '0.6', '1')]);
    expect(prints).toHaveLength(2);
    expect(gaps).toEqual([]);
    expect(processor.counts.duplicates).toBe(2);
    expect(processor.book('BTC_ETH')?.best('bid')).toEqual({ price: '0.5', size: '1' });
  });

  it('resyncs only the pair whose sequence jumped, printing nothing for it until its fresh snapshot', () => {
    const processor = new BookProcessor({ depth: 1, top: false });
    const { prints, gaps } = run(processor, [
      snapshot('BTC_ETH', 100),
      snapshot('USDT_BTC', 5000),
      level('BTC_ETH', 102, '0.5', '1'), // gap: 101 missing
      level('USDT_BTC', 5001, '9000', '1'),
      level('BTC_ETH', 103, '0.5', '2'), // still resyncing: dropped
      level('USDT_BTC', 5002, '9001', '1'),
      snapshot('BTC_ETH', 110),
      level('BTC_ETH', 111, '0.7', '1'),
    ]);
    expect(gaps).toEqual(['BTC_ETH']);
    expect(prints.map((p) => `${p.kind} ${p.pair}`)).toEqual([
      'book BTC_ETH',
      'book USDT_BTC',
      'change USDT_BTC',
      'change USDT_BTC',
      'book BTC_ETH',
      'change BTC_ETH',
    ]);
    // The fresh snapshot after the gap is a resync; a reconnect's fresh snapshots are not.
    expect(processor.counts).toMatchObject({ gaps: 1, resyncs: 1, unsynced: 1 });
    processor.resetAll();
    run(processor, [snapshot('BTC_ETH', 200)]);
    expect(processor.counts.resyncs).toBe(1);
  });

  it('does not print a pair whose book is in resync, and rebuilds it from the snapshot alone', () => {
    const processor = new BookProcessor({ depth: 1, top: false });
    run(processor, [snapshot('BTC_ETH', 100), level('BTC_ETH', 101, '0.0205', '1'), level('BTC_ETH', 105, '0.5', '1')]);
    expect(processor.isResyncing('BTC_ETH')).toBe(true);
    expect(processor.book('BTC_ETH')).toBeUndefined();
    run(processor, [snapshot('BTC_ETH', 200)]);
    // The pre-gap change is gone: the fresh snapshot is the whole truth.
    expect(processor.book('BTC_ETH')?.best('bid')).toEqual({ price: '0.02000000', size: '4.00000000' });
  });

  it('ignores updates for a pair before its first snapshot', () => {
    const processor = new BookProcessor({ depth: 1, top: false });
    const { prints, gaps } = run(processor, [level('BTC_ETH', 7, '0.5', '1')]);
    expect(prints).toEqual([]);
    expect(gaps).toEqual([]);
  });

  it('checks a v3-style message by the id it says it follows', () => {
    const processor = new BookProcessor({ depth: 1, top: false });
    const v3 = (seq: number, prevSeq: number): FeedEvent => ({ kind: 'book', pair: 'BTC_USDT', seq, prevSeq, items: [{ kind: 'level', side: 'ask', price: '1', size: '1' }] });
    const start = snapshot('BTC_USDT', 500);
    const { prints, gaps } = run(processor, [start, v3(510, 500), v3(520, 510), v3(540, 530)]);
    expect(prints.map((p) => p.kind)).toEqual(['book', 'change', 'change']);
    expect(gaps).toEqual(['BTC_USDT']);
  });

  it('forgets every book after a reconnect until each pair snapshots again', () => {
    const processor = new BookProcessor({ depth: 1, top: false });
    run(processor, [snapshot('BTC_ETH', 100)]);
    processor.resetAll();
    const { prints } = run(processor, [level('BTC_ETH', 101, '0.5', '1')]);
    expect(prints).toEqual([]);
  });

  it('applies the items of one message in order, trades included', () => {
    const processor = new BookProcessor({ depth: 1, top: false });
    const items: BookItem[] = [
      { kind: 'trade', tradeId: '42', side: 'ask', price: '0.02000000', size: '4.00000000', timestamp: '1580000000' },
      { kind: 'level', side: 'bid', price: '0.02000000', size: '0.00000000' },
    ];
    const { prints } = run(processor, [snapshot('BTC_ETH', 100), { kind: 'book', pair: 'BTC_ETH', seq: 101, prevSeq: undefined, items }]);
    expect(prints.slice(1).map((p) => p.kind)).toEqual(['trade', 'remove']);
  });

  it('fills missing ticker bid/ask columns from the maintained book', () => {
    const processor = new BookProcessor({ depth: 1, top: false });
    const fields = { last: '1', lowestAsk: undefined, highestBid: undefined, percentChange: '0', baseVolume: '0', quoteVolume: '0', isFrozen: '0', high24hr: '1', low24hr: '1' };
    const { prints } = run(processor, [snapshot('BTC_ETH', 1), { kind: 'ticker', pair: 'BTC_ETH', fields }]);
    expect(prints[1]).toMatchObject({ kind: 'ticker', fields: { lowestAsk: '0.02100000', highestBid: '0.02000000' } });
  });

  it('reports --top changes from trusted books only: none for a pair in resync', () => {
    const processor = new BookProcessor({ depth: 1, top: true });
    const { prints } = run(processor, [
      snapshot('BTC_ETH', 100),
      level('BTC_ETH', 101, '0.02050000', '1'), // new best bid: a top line
      level('BTC_ETH', 102, '0.01000000', '1'), // deep level: best unchanged, no top line
      level('BTC_ETH', 110, '0.02060000', '1'), // gap: resync, no top line
      level('BTC_ETH', 111, '0.02070000', '1'), // still resyncing: nothing
      snapshot('BTC_ETH', 200), // fresh book: a top line again
    ]);
    const tops = prints.filter((p) => p.kind === 'top');
    expect(tops).toEqual([
      { kind: 'top', pair: 'BTC_ETH', bid: { price: '0.02000000', size: '4.00000000' }, ask: { price: '0.02100000', size: '2.00000000' }, spread: '0.00100000' },
      { kind: 'top', pair: 'BTC_ETH', bid: { price: '0.02050000', size: '1' }, ask: { price: '0.02100000', size: '2.00000000' }, spread: '0.00050000' },
      { kind: 'top', pair: 'BTC_ETH', bid: { price: '0.02000000', size: '4.00000000' }, ask: { price: '0.02100000', size: '2.00000000' }, spread: '0.00100000' },
    ]);
  });

  it('prints no --top line when the best level is re-sent in another spelling of the same value', () => {
    const processor = new BookProcessor({ depth: 1, top: true });
    const { prints } = run(processor, [
      snapshot('BTC_ETH', 100),
      level('BTC_ETH', 101, '0.02000000', '4.0'), // same size, trailing zeros cut: no top line
      level('BTC_ETH', 102, '0.02000000', '4.5'), // a real change: a top line
    ]);
    const tops = prints.filter((p) => p.kind === 'top').map((p) => (p.kind === 'top' ? p.bid?.size : undefined));
    expect(tops).toEqual(['4.00000000', '4.5']);
    // The change line itself is printed as sent, trailing zeros and all.
    expect(prints.filter((p) => p.kind === 'change').map((p) => (p.kind === 'change' ? p.size : undefined))).toEqual(['4.0', '4.5']);
  });

  describe('keeps its memory bounded against a feed that only adds levels', () => {
    /** One update adding `count` new bids below 0.019 (the snapshot's worst). */
    const deeper = (pair: string, seq: number, count: number, from = 0): FeedEvent => ({
      kind: 'book',
      pair,
      seq,
      prevSeq: undefined,
      items: Array.from({ length: count }, (_, i): BookItem => ({ kind: 'level', side: 'bid', price: `0.0${18_000 - from - i}`, size: '1' })),
    });

    it('drops a book whose side passes the limit, as after a gap, and takes it back from its next snapshot', () => {
      const processor = new BookProcessor({ depth: 1, top: true, maxSideLevels: 10 });
      const printer = new PrintCollector();
      expect(processor.apply(snapshot('BTC_ETH', 100), printer)).toBeUndefined();
      // 2 bids + 8 = 10: at the limit, kept.
      expect(processor.apply(deeper('BTC_ETH', 101, 8), printer)).toBeUndefined();
      const gap = processor.apply(deeper('BTC_ETH', 102, 1, 8), printer);
      expect(gap).toEqual({ pair: 'BTC_ETH', last: 102, seq: 102, prevSeq: undefined, overflow: { scope: 'side', levels: 11, limit: 10 } });
      expect(processor.book('BTC_ETH')).toBeUndefined();
      expect(processor.isResyncing('BTC_ETH')).toBe(true);
      // Its lines were printed as applied (a subscriber of --publish applies and drops the same).
      expect(printer.prints.filter((p) => p.kind === 'change')).toHaveLength(9);
      // Later updates wait for the snapshot; the snapshot brings the book back.
      expect(processor.apply(deeper('BTC_ETH', 103, 1, 20), printer)).toBeUndefined();
      expect(processor.apply(snapshot('BTC_ETH', 200), printer)).toBeUndefined();
      expect(processor.book('BTC_ETH')?.best('bid')).toEqual({ price: '0.02000000', size: '4.00000000' });
      expect(processor.counts).toEqual({ gaps: 1, overflows: 1, resyncs: 1, duplicates: 0, unsynced: 1 });
    });

    it('drops the book that takes all books past their limit, counting each book once however often it changes', () => {
      const processor = new BookProcessor({ depth: 1, top: false, maxBookLevels: 20 });
      const printer = new PrintCollector();
      for (const pair of ['A_B', 'C_D', 'E_F']) processor.apply(snapshot(pair, 1), printer); // 4 levels each: 12
      expect(processor.apply(deeper('A_B', 2, 4), printer)).toBeUndefined(); // 16
      expect(processor.apply(level('A_B', 3, '0.0', '0'), printer)).toBeUndefined(); // a removal of nothing: 16
      expect(processor.apply(deeper('C_D', 2, 4), printer)).toBeUndefined(); // 20: at the limit
      expect(processor.apply(deeper('E_F', 2, 1), printer)?.overflow).toEqual({ scope: 'books', levels: 21, limit: 20 });
      expect(processor.book('E_F')).toBeUndefined();
      // E_F's levels no longer count: the others may grow into them, and a reconnect frees them all.
      expect(processor.apply(deeper('A_B', 4, 4, 10), printer)).toBeUndefined(); // A_B 12 + C_D 8 = 20
      processor.resetAll();
      for (const pair of ['A_B', 'C_D', 'E_F']) processor.apply(snapshot(pair, 10), printer);
      expect(processor.apply(deeper('A_B', 11, 8), printer)).toBeUndefined(); // 12 + 8 = 20
      processor.forget('C_D');
      expect(processor.apply(deeper('E_F', 11, 4), printer)).toBeUndefined(); // A_B 12 + E_F 8 = 20
    });
  });
});

