import { describe, expect, it } from 'vitest';
import { BadMarketsError } from '../src/errors.js';
import { parseV3Markets, v3MarketsUrl } from '../src/markets/v3.js';
import { V3Decoder, V3Protocol } from '../src/protocol/v3.js';
import { ALL_CHANNELS, type DecodeResult } from '../src/protocol/types.js';
import { codedLevel, codedSnapshotLevel } from '../src/protocol/decimal-code.js';

const url = 'http://127.0.0.1:1/markets';

function decoder(): V3Decoder {
  const d = new V3Decoder();
  d.setMarkets({ pairs: ['BTC_USDT', 'ETH_BTC'], byId: new Map(), frozen: new Set(['ETH_BTC']) });
  return d;
}

function events(result: DecodeResult): unknown[] {
  if (!result.ok) throw new Error(`expected ok, got ${JSON.stringify(result)}`);
  return [...result.events];
}

describe('v3 market list', () => {
  it('lists symbols in server order and marks markets not NORMAL as frozen', async () => {
    expect(v3MarketsUrl('https://rest.example.test/')).toBe('https://rest.example.test/markets');
    const map = await parseV3Markets([{ symbol: 'BTC_USDT', state: 'NORMAL' }, { symbol: 'DOGE_USDT', state: 'PAUSE' }], url);
    expect(map.pairs).toEqual(['BTC_USDT', 'DOGE_USDT']);
    expect([...map.frozen]).toEqual(['DOGE_USDT']);
  });

  it('refuses an error body, a non-array and an empty list', async () => {
    for (const body of [{ code: 500, message: 'System error' }, { symbol: 'BTC_USDT' }, [], [{ state: 'NORMAL' }]]) {
      await expect(parseV3Markets(body, url)).rejects.toThrow(BadMarketsError);
    }
  });
});

describe('v3 decoder', () => {
  it('decodes a snapshot and an update with their ids, keeping level strings exact', () => {
    const snap = '{"channel":"book_lv2","action":"snapshot","data":[{"symbol":"BTC_USDT","createTime":1,"asks":[["24983.89","403171621.65163678"]],"bids":[["24980","1"]],"lastId":9,"id":10,"ts":2}]}';
    expect(events(decoder().decode(snap))).toEqual([
      {
        kind: 'book',
        pair: 'BTC_USDT',
        seq: 10,
        prevSeq: undefined,
        items: [{ kind: 'snapshot', asks: [codedSnapshotLevel('24983.89', '403171621.65163678')], bids: [codedSnapshotLevel('24980', '1')] }],
      },
    ]);
    const upd = '{"channel":"book_lv2","action":"update","data":[{"symbol":"BTC_USDT","bids":[["24980","0"]],"asks":[["24990","2"]],"lastId":10,"id":12}]}';
    expect(events(decoder().decode(upd))).toEqual([
      {
        kind: 'book',
        pair: 'BTC_USDT',
        seq: 12,
        prevSeq: 10,
        items: [
          codedLevel('bid', '24980', '0'),
          codedLevel('ask', '24990', '2'),
        ],
      },
    ]);
  });

  it('decodes each data item of a message, in order', () => {
    const msg = '{"channel":"trades","data":[{"symbol":"BTC_USDT","amount":"1","quantity":"0.5","takerSide":"buy","createTime":1676950548834,"price":"2","id":"1","ts":3},{"symbol":"ETH_BTC","amount":"1","quantity":"7","takerSide":"sell","createTime":"1676950548835","price":"0.07","id":2,"ts":3}]}';
    expect(events(decoder().decode(msg))).toEqual([
      { kind: 'trade', pair: 'BTC_USDT', trade: { kind: 'trade', tradeId: '1', side: 'bid', price: '2', size: '0.5', timestamp: '1676950548834' } },
      { kind: 'trade', pair: 'ETH_BTC', trade: { kind: 'trade', tradeId: '2', side: 'ask', price: '0.07', size: '7', timestamp: '1676950548835' } },
    ]);
  });

  it('maps ticker columns to the legacy ones, isFrozen from the market state', () => {
    const msg = '{"channel":"ticker","data":[{"symbol":"ETH_BTC","open":"1","high":"3","low":"0.5","close":"2","quantity":"10","amount":"20","tradeCount":5,"dailyChange":"0.01","markPrice":"2","ts":1}]}';
    expect(events(decoder().decode(msg))).toEqual([
      {
        kind: 'ticker',
        pair: 'ETH_BTC',
        fields: { last: '2', lowestAsk: undefined, highestBid: undefined, percentChange: '0.01', baseVolume: '20', quoteVolume: '10', isFrozen: '1', high24hr: '3', low24hr: '0.5' },
        time: '1',
      },
    ]);
  });

  it('reads pong, acks and errors as control', () => {
    expect(events(decoder().decode('{"event":"pong"}'))).toEqual([{ kind: 'heartbeat' }]);
    expect(events(decoder().decode('{"event":"subscribe","channel":"book_lv2","symbols":["BTC_USDT"]}'))).toEqual([{ kind: 'ack', channel: 'book', pairs: ['BTC_USDT'], subscribed: true }]);
    expect(events(decoder().decode('{"event":"unsubscribe","channel":["trades"],"symbols":["A_B",7]}'))).toEqual([{ kind: 'ack', channel: 'trades', pairs: ['A_B'], subscribed: false }]);
    expect(events(decoder().decode('{"event":"subscribe","channel":"candles_minute_1","symbols":["A_B"]}'))).toEqual([{ kind: 'ack', channel: undefined, pairs: ['A_B'], subscribed: true }]);
    expect(events(decoder().decode('{"event":"error","message":"Invalid symbol"}'))).toEqual([{ kind: 'server-error', message: 'Invalid symbol' }]);
    // A server value that is not text never reaches String(): an object with a toString key would throw there.
    expect(events(decoder().decode('{"event":"error","message":{"toString":1}}'))).toEqual([{ kind: 'server-error', message: '{"toString":1}' }]);
  });

  it('reports malformed messages as bad frames and unknown symbols as unknown pairs', () => {
    for (const bad of ['[1010]', '{"channel":"book_lv2","action":"update","data":[{"symbol":"BTC_USDT","id":2}]}', '{"channel":"book_lv2","action":"x","data":[]}', '{"channel":"trades","data":"x"}', '{"channel":"book_lv2","action":"update","data":[{"symbol":"BTC_USDT","asks":[[24990,"2"]],"lastId":1,"id":2}]}']) {
      expect(decoder().decode(bad), bad).toMatchObject({ ok: false, reason: 'bad-frame' });
    }
    expect(decoder().decode('{"channel":"ticker","data":[{"symbol":"NOPE_USDT","open":"1","high":"3","low":"0.5","close":"2","quantity":"10","amount":"20","dailyChange":"0"}]}')).toEqual({ ok: false, reason: 'unknown-pair', pairId: 'NOPE_USDT' });
  });
});

describe('v3 subscriptions', () => {
  it('subscribes the three channels in batches of 50 symbols and resubscribes one book alone', () => {
    const protocol = new V3Protocol('http://127.0.0.1:1');
    const symbols = Array.from({ length: 120 }, (_, i) => `S${i}_USDT`);
    const messages = protocol.subscribeMessages(symbols, ALL_CHANNELS).map((m) => JSON.parse(m) as { channel: string[]; symbols: string[] });
    expect(messages).toHaveLength(9);
    expect(messages.map((m) => m.symbols.length)).toEqual([50, 50, 50, 50, 50, 50, 20, 20, 20]);
    expect(messages.slice(0, 3).map((m) => m.channel)).toEqual([['ticker'], ['trades'], ['book_lv2']]);
    expect(protocol.resubscribeMessages(['BTC_USDT'], 'book')).toEqual([
      '{"event":"unsubscribe","channel":["book_lv2"],"symbols":["BTC_USDT"]}',
      '{"event":"subscribe","channel":["book_lv2"],"symbols":["BTC_USDT"]}',
    ]);
    expect(protocol.unsubscribeMessages(['A_B'], new Set(['trades', 'book']))).toEqual([
      '{"event":"unsubscribe","channel":["trades"],"symbols":["A_B"]}',
      '{"event":"unsubscribe","channel":["book_lv2"],"symbols":["A_B"]}',
    ]);
    expect(protocol.confirmable(ALL_CHANNELS)).toEqual(['ticker', 'trades', 'book']);
    expect(protocol.keepalive.message).toBe('{"event":"ping"}');
  });
});

describe('v3 input contract: only plain tokens reach a line', () => {
  const ticker = (fields: Record<string, unknown>) =>
    JSON.stringify({ channel: 'ticker', data: [{ symbol: 'BTC_USDT', close: '1', high: '2', low: '0.5', amount: '3', quantity: '4', dailyChange: '-0.01', ...fields }] });
  const trade = (fields: Record<string, unknown>) =>
    JSON.stringify({ channel: 'trades', data: [{ symbol: 'BTC_USDT', id: '60001001', price: '1', quantity: '2', takerSide: 'buy', createTime: 1648549240102, ...fields }] });
  const forged = '1\n2026-01-01 00:00:00.000 TRADE BTC_USDT=1(tradeId),bid(bookSide),1(price),1(size),1(timestamp)';

  it('makes a frame whose printed field is not a plain token a bad frame', () => {
    for (const bad of [
      ticker({ close: forged }),
      ticker({ dailyChange: '\u001b[2J' }),
      ticker({ high: 1e21 }),
      ticker({ low: '1,5' }),
      trade({ id: forged }),
      trade({ id: 'a b' }),
      trade({ createTime: '1648549240102\n' }),
      trade({ createTime: 1.5 }),
    ]) {
      expect(decoder().decode(bad), bad).toMatchObject({ ok: false, reason: 'bad-frame' });
    }
  });

  it('accepts the plain tokens the exchange sends: numbers as text or as plain JSON numbers, ids of digits or letters', () => {
    expect(events(decoder().decode(ticker({ close: 23148.86, dailyChange: '-0.0002' })))[0]).toMatchObject({ fields: { last: '23148.86', percentChange: '-0.0002' } });
    expect(events(decoder().decode(trade({ id: 'abc-1_2', createTime: '1648549240102' })))[0]).toMatchObject({ trade: { tradeId: 'abc-1_2', timestamp: '1648549240102' } });
  });
});

describe('v3 validation work is bounded', () => {
  it('refuses a frame of a million bad levels at the first one, naming it', () => {
    const asks = Array.from({ length: 1_000_000 }, () => ['x', '1']);
    const text = JSON.stringify({ channel: 'book_lv2', action: 'update', data: [{ symbol: 'BTC_USDT', asks, bids: [], lastId: 1, id: 2 }] });
    expect(decoder().decode(text)).toEqual({ ok: false, reason: 'bad-frame', detail: 'data.0: asks: 0.0: not a plain decimal' });
  });
});
