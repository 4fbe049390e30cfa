import { describe, expect, it } from 'vitest';
import { LineBuffer } from '../src/output/lines.js';
import { TextPrinter } from '../src/output/text.js';
import { LineTimestamp } from '../src/output/timestamp.js';
import { pythonFloat, pythonText, rawNumbersOf } from '../src/protocol/python-text.js';
import { ALL_CHANNELS } from '../src/protocol/types.js';
import { replayPrint, type PrintEvent } from './helpers/prints.js';

function lines(event: PrintEvent): string[] {
  const out = new LineBuffer();
  const printer = new TextPrinter(out, ALL_CHANNELS, 'none');
  printer.begin(0);
  replayPrint(printer, event);
  const text = out.take();
  expect(text.endsWith('\n')).toBe(true);
  const result = text.slice(0, -1).split('\n');
  expect(result.length).toBe(out.added);
  return result;
}

describe('text lines (the reference script formats)', () => {
  it('prints snapshot levels asks first, then bids', () => {
    expect(
      lines({
        kind: 'book',
        pair: 'BTC_ETH',
        asks: [{ price: '0.02100000', size: '12.50000000' }],
        bids: [
          { price: '0.02000000', size: '403171621.65163678' },
          { price: '0.01990000', size: '1.00000000' },
        ],
      }),
    ).toEqual([
      'BTC_ETH book: asks((price,size)): (0.02100000,12.50000000)',
      'BTC_ETH book: bids((price,size)): (0.02000000,403171621.65163678)',
      'BTC_ETH book: bids((price,size)): (0.01990000,1.00000000)',
    ]);
  });

  it('prints level changes and removals', () => {
    expect(lines({ kind: 'change', pair: 'BTC_ETH', side: 'bid', price: '0.02000000', size: '3.00000000' })).toEqual([
      'Add or change BTC_ETH,side=bid,price=0.02000000,size=3.00000000',
    ]);
    expect(lines({ kind: 'remove', pair: 'BTC_ETH', side: 'ask', price: '0.02100000' })).toEqual(['Remove BTC_ETH,side=ask,price=0.02100000']);
  });

  it('prints trades', () => {
    expect(
      lines({ kind: 'trade', pair: 'BTC_ETH', tradeId: '25531212', side: 'bid', price: '0.02100000', size: '0.02000000', timestamp: '1580000000' }),
    ).toEqual(['TRADE BTC_ETH=25531212(tradeId),bid(bookSide),0.02100000(price),0.02000000(size),1580000000(timestamp)']);
  });

  it('prints tickers in the TICKER_OUTPUT format', () => {
    const fields = {
      last: '0.02100000',
      lowestAsk: '0.02110000',
      highestBid: '0.02090000',
      percentChange: '-0.01000000',
      baseVolume: '12.5',
      quoteVolume: '600.1',
      isFrozen: '0',
      high24hr: '0.02200000',
      low24hr: '0.02000000',
    };
    expect(lines({ kind: 'ticker', pair: 'BTC_ETH', fields })).toEqual([
      'TICKER UPDATE BTC_ETH=0.02100000(last),0.02110000(lowestAsk),0.02090000(highestBid),-0.01000000(percentChange),12.5(baseVolume),600.1(quoteVolume),0(isFrozen),0.02200000(high24hr),0.02000000(low24hr)',
    ]);
  });

  it('renders non-string ticker values as Python did', () => {
    expect([pythonText(null), pythonText(true), pythonText(0), pythonText('x')]).toEqual(['None', 'True', '0', 'x']);
    // From the JSON text: a float stays a float, an int stays exact however big.
    expect([pythonText(5, '5.0'), pythonText(5, '5'), pythonText(1e16, '1e16'), pythonText(12345678901234567890, '12345678901234567890')]).toEqual([
      '5.0',
      '5',
      '1e+16',
      '12345678901234567890',
    ]);
  });

  it("renders floats as Python's repr: shortest digits, scientific below 1e-4 and from 1e16", () => {
    const cases: [number, string][] = [
      [5, '5.0'], [0.1, '0.1'], [-2.5, '-2.5'], [1e15, '1000000000000000.0'], [1e16, '1e+16'], [1.5e17, '1.5e+17'],
      [0.0001, '0.0001'], [0.00001, '1e-05'], [1.2345e-7, '1.2345e-07'], [123.456, '123.456'], [0, '0.0'], [-0, '-0.0'],
      [1e300, '1e+300'], [0.3, '0.3'], [2 ** 60, '1.152921504606847e+18'],
    ];
    for (const [x, repr] of cases) expect(pythonFloat(x), String(x)).toBe(repr);
  });

  it("finds the JSON text of each number of a ticker frame's values", () => {
    expect(rawNumbersOf('[1002,null,[149,"0.1",5.0,1e16, -3 ,true,null,{"a":[1]}]]', 2)).toEqual(['149', undefined, '5.0', '1e16', '-3', undefined, undefined, undefined]);
    expect(rawNumbersOf('[1002, "x],[", [ 7 ]]', 2)).toEqual(['7']);
    expect(rawNumbersOf('[1002,{"k":"\\"]"},[1.50]]', 2)).toEqual(['1.50']);
    expect(rawNumbersOf('{"a":1}', 2)).toBeUndefined();
  });
});

describe('timestamps', () => {
  it('formats local time as YYYY-MM-DD HH:MM:SS.mmm, as the reference script', () => {
    const ms = new Date(2020, 2, 1, 9, 5, 7, 42).getTime();
    expect(new LineTimestamp('local').prefix(ms)).toBe('2020-03-01 09:05:07.042 ');
    expect(new LineTimestamp('local').prefix(ms + 958)).toBe('2020-03-01 09:05:08.000 ');
  });

  it('formats utc, epoch-ms and none', () => {
    const ms = Date.UTC(2026, 10, 25, 23, 59, 59, 999);
    expect(new LineTimestamp('utc').prefix(ms)).toBe('2026-11-25 23:59:59.999 ');
    expect(new LineTimestamp('epoch-ms').prefix(ms)).toBe(`${ms} `);
    expect(new LineTimestamp('none').prefix(ms)).toBe('');
  });
});

describe('line limit (--max-lines)', () => {
  it('stops adding lines at the limit, inside one event too', () => {
    const out = new LineBuffer(2);
    const printer = new TextPrinter(out, ALL_CHANNELS, 'epoch-ms');
    printer.begin(7);
    const level = { price: '1', size: '2' };
    printer.book('BTC_ETH', [level], [level, level]);
    printer.remove('BTC_ETH', 'ask', '1');
    expect(out.added).toBe(2);
    expect(out.take()).toBe('7 BTC_ETH book: asks((price,size)): (1,2)\n7 BTC_ETH book: bids((price,size)): (1,2)\n');
    expect(out.take()).toBe('');
  });

  it('prints only the channels asked for', () => {
    const out = new LineBuffer();
    const printer = new TextPrinter(out, new Set(['trades'] as const), 'none');
    printer.begin(0);
    printer.change('BTC_ETH', 'bid', '1', '2');
    printer.trade('BTC_ETH', { kind: 'trade', tradeId: '1', side: 'ask', price: '1', size: '2', timestamp: '3' });
    printer.top('BTC_ETH', undefined, undefined, undefined);
    expect(out.take()).toBe('TRADE BTC_ETH=1(tradeId),ask(bookSide),1(price),2(size),3(timestamp)\n');
  });
});
