import { describe, expect, it } from 'vitest';
import { LegacyDecoder, LegacyProtocol } from '../src/protocol/legacy.js';
import { ALL_CHANNELS, type DecodeResult } from '../src/protocol/types.js';
import { codedLevel, codedSnapshotLevel } from '../src/protocol/decimal-code.js';

const markets = { pairs: ['BTC_ETH', 'USDT_BTC'], byId: new Map([['148', 'BTC_ETH'], ['121', 'USDT_BTC']]), frozen: new Set<string>() };

function decoder(): LegacyDecoder {
  const d = new LegacyDecoder();
  d.setMarkets(markets);
  return d;
}

function events(result: DecodeResult): unknown[] {
  if (!result.ok) throw new Error(`expected ok, got ${JSON.stringify(result)}`);
  return [...result.events];
}

describe('legacy decoder: good frames', () => {
  it('decodes a snapshot into exact levels', () => {
    const frame = '[148,831245871,[["i",{"currencyPair":"BTC_ETH","orderBook":[{"0.02100000":"403171621.65163678","0.02200000":"1.00000000"},{"0.02000000":"3.00000000"}]},"1580000000123"]]]';
    expect(events(decoder().decode(frame))).toEqual([
      {
        kind: 'book',
        pair: 'BTC_ETH',
        seq: 831245871,
        prevSeq: undefined,
        items: [
          {
            kind: 'snapshot',
            asks: [
              codedSnapshotLevel('0.02100000', '403171621.65163678'),
              codedSnapshotLevel('0.02200000', '1.00000000'),
            ],
            bids: [codedSnapshotLevel('0.02000000', '3.00000000')],
          },
        ],
      },
    ]);
  });

  it('accepts level and trade items with and without the trailing epoch-ms', () => {
    const withMs = '[148,2,[["o",1,"0.02000000","1.00000000","1580000000123"],["t","42810442",0,"0.02100000","0.50000000",1580000000,"1580000000123"]]]';
    const without = '[148,2,[["o",1,"0.02000000","1.00000000"],["t","42810442",0,"0.02100000","0.50000000",1580000000]]]';
    const expected = [
      {
        kind: 'book',
        pair: 'BTC_ETH',
        seq: 2,
        prevSeq: undefined,
        items: [
          codedLevel('bid', '0.02000000', '1.00000000'),
          { kind: 'trade', tradeId: '42810442', side: 'ask', price: '0.02100000', size: '0.50000000', timestamp: '1580000000' },
        ],
      },
    ];
    expect(events(decoder().decode(withMs))).toEqual(expected);
    expect(events(decoder().decode(without))).toEqual(expected);
  });

  it('decodes 10- and 12-field ticker frames, rendering values as the reference script did', () => {
    const ten = '[1002,null,[121,"9000.00000000","9001.00000000","8999.00000000","0.01000000","1000.00000000","0.11000000",0,"9100.00000000","8900.00000000"]]';
    const twelve = ten.replace(']]', ',0,0]]');
    for (const frame of [ten, twelve]) {
      expect(events(decoder().decode(frame))).toEqual([
        {
          kind: 'ticker',
          pair: 'USDT_BTC',
          fields: {
            last: '9000.00000000',
            lowestAsk: '9001.00000000',
            highestBid: '8999.00000000',
            percentChange: '0.01000000',
            baseVolume: '1000.00000000',
            quoteVolume: '0.11000000',
            isFrozen: '0',
            high24hr: '9100.00000000',
            low24hr: '8900.00000000',
          },
        },
      ]);
    }
  });

  it('reads control frames as control, never as book updates', () => {
    const d = decoder();
    expect(events(d.decode('[1010]'))).toEqual([{ kind: 'heartbeat' }]);
    expect(events(d.decode('[1002,1]'))).toEqual([{ kind: 'ack', channel: 'ticker', pairs: [], subscribed: true }]);
    expect(events(d.decode('[148,0]'))).toEqual([{ kind: 'ack', channel: 'book', pairs: ['BTC_ETH'], subscribed: false }]);
    expect(events(d.decode('{"error":"Invalid channel."}'))).toEqual([{ kind: 'server-error', message: 'Invalid channel.' }]);
    // A real book frame whose seq happens to be 1 or 0 is still a book frame.
    expect(events(d.decode('[148,1,[["o",0,"1.00000000","2.00000000"]]]'))[0]).toMatchObject({ kind: 'book', seq: 1 });
  });
});

describe('legacy decoder: bad frames', () => {
  const cases: [string, string][] = [
    ['not JSON', '[148,12,[["o",1'],
    ['a string', '"hello"'],
    ['a short frame', '[148]'],
    ['a non-numeric seq', '[148,"x",[]]'],
    ['an unknown item tag', '[148,12,[["z",1]]]'],
    ['a price that is a number', '[148,12,[["o",1,0.02,"1.00000000"]]]'],
    ['a price with an exponent', '[148,12,[["o",1,"2e-2","1.00000000"]]]'],
    ['a side that is not 0 or 1', '[148,12,[["o",2,"0.02000000","1.00000000"]]]'],
    ['a snapshot without orderBook', '[148,12,[["i",{"currencyPair":"BTC_ETH"}]]]'],
    ['a snapshot with a "__proto__" price', '[148,12,[["i",{"orderBook":[{"__proto__":"1"},{}]}]]]'],
    ['a short ticker', '[1002,null,[148,"1"]]'],
  ];
  for (const [name, frame] of cases) {
    it(`reports ${name} as a bad frame`, () => {
      expect(decoder().decode(frame)).toMatchObject({ ok: false, reason: 'bad-frame' });
    });
  }

  it('reports a valid frame for a pair id the map lacks as unknown-pair', () => {
    expect(decoder().decode('[999,12,[["o",1,"0.02000000","1.00000000"]]]')).toEqual({ ok: false, reason: 'unknown-pair', pairId: '999' });
    expect(decoder().decode('[1002,null,[999,"1","1","1","1","1","1",0,"1","1"]]')).toEqual({ ok: false, reason: 'unknown-pair', pairId: '999' });
  });

  it('rejects a whole frame when one of its items is bad, so a partial frame never reaches a book', () => {
    expect(decoder().decode('[148,12,[["o",1,"0.02000000","1.00000000"],["o",1,"bad","1"]]]')).toMatchObject({ ok: false, reason: 'bad-frame' });
  });
});

describe('legacy subscriptions', () => {
  it('subscribes to the ticker channel first, then each pair, as the reference script did', () => {
    const protocol = new LegacyProtocol('http://127.0.0.1:1');
    expect(protocol.subscribeMessages(['BTC_ETH', 'USDT_BTC'], ALL_CHANNELS, true)).toEqual([
      '{"command":"subscribe","channel":1002}',
      '{"command":"subscribe","channel":"BTC_ETH"}',
      '{"command":"subscribe","channel":"USDT_BTC"}',
    ]);
    expect(protocol.resubscribeMessages(['BTC_ETH'], 'book')).toEqual(['{"command":"unsubscribe","channel":"BTC_ETH"}', '{"command":"subscribe","channel":"BTC_ETH"}']);
    expect(protocol.unsubscribeMessages(['BTC_ETH'], ALL_CHANNELS)).toEqual(['{"command":"unsubscribe","channel":"BTC_ETH"}']);
    // A pair channel's snapshot confirms it; the one ticker channel is not tracked per pair.
    expect(protocol.confirmable(ALL_CHANNELS)).toEqual(['book']);
  });
});

describe('legacy input contract: only plain tokens reach a line', () => {
  it('makes a trade with a timestamp that is not digits, or a ticker with a column that is not a plain number, a bad frame', () => {
    for (const bad of [
      '[148,2,[["t","42",1,"0.02","1","1580000001\\n2020-01-01 00:00:00.000 TRADE forged"]]]',
      '[148,2,[["t","42",1,"0.02","1",1580000001.5]]]',
      '[1002,null,[148,"0.02\\u001b[2J","0.021","0.02","0","1","2",0,"0.03","0.01"]]',
      '[1002,null,[148,"1e5","0.021","0.02","0","1","2",0,"0.03","0.01"]]',
    ]) {
      expect(decoder().decode(bad), bad).toMatchObject({ ok: false, reason: 'bad-frame' });
    }
  });

  it('prints ticker numbers from their JSON text, as the reference script did: 5.0 stays 5.0, big ints exact', () => {
    const [event] = events(decoder().decode('[1002,null,[148,"0.02",5.0,1e16,-0.5,"1","2",0,12345678901234567890,"0.01",1,0]]'));
    expect(event).toMatchObject({ fields: { last: '0.02', lowestAsk: '5.0', highestBid: '1e+16', percentChange: '-0.5', isFrozen: '0', high24hr: '12345678901234567890' } });
  });
});
