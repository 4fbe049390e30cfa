import fc from 'fast-check';
import type { MarketMap } from '../../src/protocol/types.js';

/**
 * Valid frames of both protocols, shaped like the real exchanges', and fast-check
 * arbitraries that break them one place at a time: the frame stays valid everywhere but there, so a
 * decoder that accepts it has printed (or would print) exactly the hostile value.
 */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A forged line a server might try to smuggle into stdout. */
export const FORGED_LINE = '2026-01-01 00:00:00.000 TRADE BTC_USDT=666(tradeId),bid(bookSide),6.66(price),6.66(size),666(timestamp)';
/** What only a forged line holds: no honest frame of these tests has trade id 666. */
export const FORGED_MARK = '666(tradeId)';

export const V3_MARKETS: MarketMap = {
  pairs: ['BTC_USDT', 'ETH_USDT'],
  byId: new Map(),
  frozen: new Set(['ETH_USDT']),
};

export const LEGACY_MARKETS: MarketMap = {
  pairs: ['BTC_ETH', 'USDT_BTC'],
  byId: new Map([
    ['148', 'BTC_ETH'],
    ['121', 'USDT_BTC'],
  ]),
  frozen: new Set(),
};

export const V3_FRAMES: Readonly<Record<string, Json>> = {
  snapshot: {
    channel: 'book_lv2',
    action: 'snapshot',
    data: [
      {
        symbol: 'BTC_USDT',
        createTime: 1659605262000,
        asks: [
          ['23951.12', '1.3284'],
          ['23951.13', '4.50'],
        ],
        bids: [
          ['23950.43', '1.490704'],
          ['23949.33', '0.340000'],
        ],
        lastId: 1280,
        id: 1281,
        ts: 1659605262010,
      },
    ],
  },
  update: {
    channel: 'book_lv2',
    action: 'update',
    data: [
      {
        symbol: 'BTC_USDT',
        createTime: 1659605262100,
        asks: [
          ['36.842', '353.838425'],
          ['47', '0'],
        ],
        bids: [['23950.43', '0.00']],
        lastId: 1281,
        id: 1282,
        ts: 1659605262110,
      },
    ],
  },
  trade: {
    channel: 'trades',
    data: [
      {
        symbol: 'BTC_USDT',
        amount: '52.0468',
        takerSide: 'buy',
        quantity: '0.0021',
        createTime: 1659605262200,
        price: '23951.12',
        id: '60014755',
        ts: 1659605262210,
      },
    ],
  },
  tradeNumeric: {
    channel: 'trades',
    data: [{ symbol: 'ETH_USDT', amount: '1', takerSide: 'sell', quantity: '0.5', createTime: '1659605262300', price: '2', id: 60014756, ts: 1 }],
  },
  ticker: {
    channel: 'ticker',
    data: [
      {
        symbol: 'BTC_USDT',
        startTime: 1659518820000,
        open: '23100.01',
        high: '24100',
        low: '22900.5',
        close: '23951.12',
        quantity: '1510.2264',
        amount: '35613451.17',
        tradeCount: 32011,
        dailyChange: '-0.0123',
        markPrice: '23950.02',
        closeTime: 1659605262000,
        ts: 1659605262500,
      },
    ],
  },
  ack: { event: 'subscribe', channel: 'book_lv2', symbols: ['BTC_USDT'] },
  unsubscribeAck: { event: 'unsubscribe', channel: ['trades'], symbols: ['ETH_USDT'] },
  error: { event: 'error', message: 'Subscription failed' },
  pong: { event: 'pong' },
};

export const LEGACY_FRAMES: Readonly<Record<string, Json>> = {
  snapshot: [
    148,
    831245872,
    [
      [
        'i',
        {
          currencyPair: 'BTC_ETH',
          orderBook: [
            { '0.02100000': '12.50000000', '0.02200000': '1.00000000' },
            { '0.02090000': '7.25000000', '0.02000000': '3.00000000' },
          ],
        },
        '1580000000000',
      ],
    ],
  ],
  levels: [
    148,
    831245873,
    [
      ['o', 1, '0.02095000', '2.00000000', '1580000000123'],
      ['o', 0, '0.02100000', '0.00000000'],
    ],
  ],
  trade: [148, 831245874, [['t', '42810443', 0, '0.02090000', '7.25000000', 1580000001, '1580000001000']]],
  ticker: [1002, null, [148, '0.02100000', '0.02100000', '0.02090000', '-0.01000000', '12.50000000', '600.10000000', 0, '0.02200000', '0.02000000', 0, 0]],
  tickerDigits: [1002, null, ['121', '9000.1', '9000.2', '8999.9', '0.0021', '100', '0.011', 1, '9100', '8800']],
  heartbeat: [1010],
  ack: [148, 1],
  tickerAck: [1002, 1],
  stats: [1003, null, ['2020-01-26 12:00', 12345, { BTC: '1.5' }]],
  error: { error: 'Invalid channel.' },
};

/** Text a hostile server would put in a field: line breakers, escape sequences, near-decimals. */
export const HOSTILE_TEXTS: readonly string[] = [
  `1\n${FORGED_LINE}`,
  `\n${FORGED_LINE}\n`,
  '\u001b]0;pwned\u0007',
  '\u001b[2J',
  '1\u001b[2J',
  '\u009b2J',
  '1\r',
  '1\t',
  '1\u0000',
  '1\u007f',
  '1\u0085',
  '1\u2028',
  '1,2',
  '1(price)',
  'a=b',
  ' 1',
  '1 ',
  '',
  '-1',
  '+1',
  '1e5',
  '1E-7',
  '.5',
  '5.',
  '1.2.3',
  '0x10',
  'NaN',
  'Infinity',
  '\u0661\u0662\u0663',
  '\uff11\uff12',
  '__proto__',
  'constructor',
  'toString',
  'BTC_USDT\n',
  'BTC USDT',
  'BTC_USDT,ETH_USDT',
  'buy\n',
  '9'.repeat(400),
];

/** Values of other types a field may get instead of its own. */
const HOSTILE_OTHERS: readonly Json[] = [
  -1,
  1.5,
  1e21,
  1e-7,
  -0.0123,
  2 ** 53,
  1.7976931348623157e308,
  0,
  null,
  true,
  false,
  {},
  [],
  { toString: 1 },
  { valueOf: 1, toString: 'x' },
  ['1', '2'],
  [[['1']]],
];

/** A hostile value: crafted text, text over a line-breaking alphabet, other types, any JSON. */
export const hostileValue: fc.Arbitrary<Json> = fc.oneof(
  { arbitrary: fc.constantFrom(...HOSTILE_TEXTS), weight: 4 },
  { arbitrary: fc.constantFrom(...HOSTILE_OTHERS), weight: 2 },
  {
    arbitrary: fc.string({ unit: fc.constantFrom('0', '1', '9', '.', '-', '+', 'e', '\n', '\r', '\u001b', '\u009b', ',', '(', ')', '=', ' ', 'A', '_'), maxLength: 12 }),
    weight: 3,
  },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 12 }), weight: 1 },
  { arbitrary: fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>, weight: 1 },
);

/** Every place in a JSON value: the path of keys to it (the root is []). */
export function pathsOf(value: Json, prefix: readonly (string | number)[] = []): (string | number)[][] {
  const out: (string | number)[][] = [[...prefix]];
  if (Array.isArray(value)) value.forEach((v, i) => out.push(...pathsOf(v, [...prefix, i])));
  else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) out.push(...pathsOf(v, [...prefix, k]));
  return out;
}

/** A copy of `value` with the node at `path` given by `edit` (undefined deletes it from its parent). */
export function editAt(value: Json, path: readonly (string | number)[], edit: (old: Json) => Json | undefined): Json | undefined {
  if (path.length === 0) return edit(value);
  const [head, ...rest] = path as [string | number, ...(string | number)[]];
  if (Array.isArray(value)) {
    const copy = [...value];
    const child = editAt(copy[head as number] as Json, rest, edit);
    if (child === undefined) copy.splice(head as number, 1);
    else copy[head as number] = child;
    return copy;
  }
  if (value !== null && typeof value === 'object') {
    // Built by defineProperty-free copying that keeps a "__proto__" key an own key.
    const copy: { [key: string]: Json } = JSON.parse(JSON.stringify(value)) as { [key: string]: Json };
    const child = editAt(copy[head as string] as Json, rest, edit);
    if (child === undefined) delete copy[head as string];
    else Object.defineProperty(copy, head as string, { value: child, enumerable: true, writable: true, configurable: true });
    return copy;
  }
  return value;
}

/** One way to break a frame. */
export type Mutation =
  | { readonly kind: 'replace'; readonly at: number; readonly value: Json }
  | { readonly kind: 'delete'; readonly at: number }
  | { readonly kind: 'splice'; readonly at: number; readonly offset: number; readonly text: string }
  | { readonly kind: 'add-key'; readonly at: number; readonly key: string; readonly value: Json }
  | { readonly kind: 'text'; readonly offset: number; readonly text: string };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), value: hostileValue }), weight: 6 },
  { arbitrary: fc.record({ kind: fc.constant('delete' as const), at: fc.nat() }), weight: 1 },
  {
    arbitrary: fc.record({ kind: fc.constant('splice' as const), at: fc.nat(), offset: fc.nat(), text: fc.constantFrom(...HOSTILE_TEXTS.filter((t) => t !== '')) }),
    weight: 4,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant('add-key' as const),
      at: fc.nat(),
      key: fc.constantFrom('__proto__', 'constructor', 'toString', 'asks', 'bids', 'symbol', 'id', 'lastId', 'action', 'event', 'channel', 'data', 'message', 'error'),
      value: hostileValue,
    }),
    weight: 2,
  },
  { arbitrary: fc.record({ kind: fc.constant('text' as const), offset: fc.nat(), text: fc.constantFrom('\n', '"', ',', ']', '}', '\\u0000', '\\n', '\u001b', '{"__proto__":1}') }), weight: 1 },
);

/** A frame's text after one mutation, and where it was made (a path of keys, or a text offset). */
export function mutate(frame: Json, m: Mutation, skip: (path: readonly (string | number)[]) => boolean = () => false): { readonly where: string; readonly text: string } {
  if (m.kind === 'text') {
    const text = JSON.stringify(frame);
    const at = m.offset % (text.length + 1);
    return { where: `text offset ${at}`, text: text.slice(0, at) + m.text + text.slice(at) };
  }
  const paths = pathsOf(frame).filter((path) => !skip(path));
  const path = paths[m.at % paths.length] as (string | number)[];
  return { where: path.length === 0 ? '(root)' : path.join('.'), text: edit(frame, path, m) };
}

function edit(frame: Json, path: readonly (string | number)[], m: Exclude<Mutation, { kind: 'text' }>): string {
  let edited: Json | undefined;
  switch (m.kind) {
    case 'replace':
      edited = editAt(frame, path, () => m.value);
      break;
    case 'delete':
      edited = editAt(frame, path, () => undefined);
      break;
    case 'splice':
      edited = editAt(frame, path, (old) => {
        const text = typeof old === 'string' ? old : JSON.stringify(old);
        const at = m.offset % (text.length + 1);
        return text.slice(0, at) + m.text + text.slice(at);
      });
      break;
    case 'add-key':
      edited = editAt(frame, path, (old) => {
        if (old === null || typeof old !== 'object' || Array.isArray(old)) return old;
        const copy = JSON.parse(JSON.stringify(old)) as { [key: string]: Json };
        Object.defineProperty(copy, m.key, { value: m.value, enumerable: true, writable: true, configurable: true });
        return copy;
      });
      break;
  }
  return edited === undefined ? '' : JSON.stringify(edited);
}

/**
 * `frame` broken in one place (a place `skip` does not exclude; the text mutation may hit anything):
 * where and how, and the text sent.
 */
export function mutatedFrame(
  frame: Json,
  skip?: (path: readonly (string | number)[]) => boolean,
): fc.Arbitrary<{ readonly where: string; readonly mutation: Mutation; readonly text: string }> {
  return mutation.map((m) => ({ ...mutate(frame, m, skip), mutation: m }));
}
