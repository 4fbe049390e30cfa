import type { BookItem, DecodeResult, FeedEvent, TickerFields, TradeItem } from '../../src/protocol/types.js';

/**
 * The input contract of issue 11, as checks: every piece of exchange text that reaches a printed
 * line must be a plain token, so no server can break the line format (a newline forges a line, a
 * comma, parenthesis or "=" shifts the columns awk splits on, an escape sequence reaches the
 * terminal).
 */

/** A price or size: digits, at most one point with digits after it. No sign, no exponent. */
export const DECIMAL = /^\d+(?:\.\d+)?$/;
/** A ticker change column (legacy percentChange, v3 dailyChange) may be negative. */
export const SIGNED_DECIMAL = /^-?\d+(?:\.\d+)?$/;
/** Trade timestamps, legacy pair ids. */
export const DIGITS = /^\d+$/;
/** Trade ids: digits in practice; letters, digits, "_" and "-" allowed (none separates a column). */
export const ID = /^[A-Za-z0-9_-]{1,64}$/;
/**
 * A legacy ticker number as the reference script's Python printed it: an int, or a float's repr,
 * which uses an exponent below 1e-4 and from 1e16 ("1e+21", "1e-07"). No column separator either way.
 */
export const PYTHON_NUMBER = /^-?\d+(?:\.\d+)?(?:e[+-]\d{2,3})?$/;
/**
 * A pair or symbol as exchanges name them (BTC_USDT, USDT_BTC, 1INCH_USDT): letters of either case,
 * digits, "_" and, to be lenient with what a real exchange might list, "." and "-": none of them
 * separates the columns of a line.
 */
export const SYMBOL = /^[A-Za-z0-9_.-]+$/;
/** What the reference script printed for a non-string legacy ticker value (README: `None`, `True`). */
export const PYTHON_LITERAL = /^(?:None|True|False)$/;

/** Every byte a terminal may act on (C0, DEL, C1) except the newline that ends a line. */
export const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

export type Api = 'v3' | 'legacy';

/** The printed fields of decoded events that are not plain tokens, as "path=value" (JSON-quoted). */
export function printedViolations(events: readonly FeedEvent[], api: Api): string[] {
  const out: string[] = [];
  const check = (path: string, value: unknown, pattern: RegExp | ((text: string) => boolean)): void => {
    const ok = typeof value === 'string' && (typeof pattern === 'function' ? pattern(value) : pattern.test(value));
    if (!ok) out.push(`${path}=${quote(value)}`);
  };
  events.forEach((event, e) => {
    switch (event.kind) {
      case 'book':
        check(`events.${e}.pair`, event.pair, SYMBOL);
        if (!Number.isSafeInteger(event.seq) || event.seq < 0) out.push(`events.${e}.seq=${quote(event.seq)}`);
        event.items.forEach((item, i) => bookItemViolations(item, `events.${e}.items.${i}`, check));
        break;
      case 'trade':
        check(`events.${e}.pair`, event.pair, SYMBOL);
        tradeViolations(event.trade, `events.${e}.trade`, check);
        break;
      case 'ticker':
        check(`events.${e}.pair`, event.pair, SYMBOL);
        tickerViolations(event.fields, `events.${e}.fields`, api, check);
        break;
      case 'server-error':
        if (typeof event.message !== 'string') out.push(`events.${e}.message=${quote(event.message)}`);
        break;
      case 'ack':
      case 'heartbeat':
      case 'ignored':
        break;
    }
  });
  return out;
}

type Check = (path: string, value: unknown, pattern: RegExp | ((text: string) => boolean)) => void;

function bookItemViolations(item: BookItem, path: string, check: Check): void {
  switch (item.kind) {
    case 'snapshot':
      item.asks.forEach((level, i) => {
        check(`${path}.asks.${i}.price`, level.price, DECIMAL);
        check(`${path}.asks.${i}.size`, level.size, DECIMAL);
      });
      item.bids.forEach((level, i) => {
        check(`${path}.bids.${i}.price`, level.price, DECIMAL);
        check(`${path}.bids.${i}.size`, level.size, DECIMAL);
      });
      break;
    case 'level':
      check(`${path}.side`, item.side, /^(?:bid|ask)$/);
      check(`${path}.price`, item.price, DECIMAL);
      check(`${path}.size`, item.size, DECIMAL);
      break;
    case 'trade':
      tradeViolations(item, path, check);
      break;
  }
}

function tradeViolations(trade: TradeItem, path: string, check: Check): void {
  check(`${path}.tradeId`, trade.tradeId, ID);
  check(`${path}.side`, trade.side, /^(?:bid|ask)$/);
  check(`${path}.price`, trade.price, DECIMAL);
  check(`${path}.size`, trade.size, DECIMAL);
  check(`${path}.timestamp`, trade.timestamp, DIGITS);
}

function tickerViolations(fields: TickerFields, path: string, api: Api, check: Check): void {
  // Every ticker column may be negative (a plain token either way); legacy non-string values print
  // as the script did (None, True, False, Python's float repr); v3 has no such values.
  const plain = (text: string): boolean => SIGNED_DECIMAL.test(text) || (api === 'legacy' && (PYTHON_LITERAL.test(text) || PYTHON_NUMBER.test(text)));
  for (const name of ['last', 'baseVolume', 'quoteVolume', 'high24hr', 'low24hr', 'isFrozen', 'percentChange'] as const) {
    check(`${path}.${name}`, fields[name], plain);
  }
  // v3 leaves these to the book (undefined); legacy sends them.
  for (const name of ['lowestAsk', 'highestBid'] as const) {
    const value = fields[name];
    if (value !== undefined || api === 'legacy') check(`${path}.${name}`, value, plain);
  }
}

/** What is wrong with a decode result's shape, or undefined: ok with events, or one of the two refusals. */
export function resultShapeProblem(result: DecodeResult, api: Api): string | undefined {
  if (result === null || typeof result !== 'object') return `not an object: ${quote(result)}`;
  if (result.ok === true) return Array.isArray(result.events) ? undefined : 'ok without an events list';
  if (result.reason === 'bad-frame') return typeof result.detail === 'string' ? undefined : 'bad-frame without a detail';
  if (result.reason === 'unknown-pair') {
    // An unknown pair sends polo-ws to fetch the market list again: only a name that could be a pair may do that.
    const pattern = api === 'legacy' ? DIGITS : SYMBOL;
    return pattern.test(result.pairId) ? undefined : `unknown-pair names a pair that is not a plain token: ${quote(result.pairId)}`;
  }
  return `unexpected result ${quote(result)}`;
}

/** JSON-quoted and cut, for messages: control bytes show escaped. */
export function quote(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = Object.prototype.toString.call(value);
  }
  // JSON leaves DEL, C1 controls and the Unicode line separators raw: show them escaped too.
  text = text.replace(/[\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return text.length > 120 ? `${text.slice(0, 120)}...` : text;
}

// ---- stdout lines (README "Output", text format, default local timestamps) ----

const TS = String.raw`\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} `;
const PAIR = String.raw`[A-Za-z0-9_.-]+`;
const DEC = String.raw`\d+(?:\.\d+)?`;
const SDEC = String.raw`-?\d+(?:\.\d+)?`;
const SIDE = '(?:bid|ask)';
/** A ticker column: a decimal, empty (v3 bid/ask before the book is trusted), a Python literal or float repr (legacy). */
const TV = String.raw`(?:-?\d+(?:\.\d+)?(?:e[+-]\d{2,3})?|None|True|False)?`;

/** Every line polo-ws may print on stdout in text mode, whole. */
export const LINE_GRAMMAR: readonly RegExp[] = [
  new RegExp(String.raw`^${TS}${PAIR} book: (?:asks|bids)\(\(price,size\)\): \(${DEC},${DEC}\)$`),
  new RegExp(String.raw`^${TS}Add or change ${PAIR},side=${SIDE},price=${DEC},size=${DEC}$`),
  new RegExp(String.raw`^${TS}Remove ${PAIR},side=${SIDE},price=${DEC}$`),
  new RegExp(String.raw`^${TS}TRADE ${PAIR}=[A-Za-z0-9_-]{1,64}\(tradeId\),${SIDE}\(bookSide\),${DEC}\(price\),${DEC}\(size\),\d+\(timestamp\)$`),
  new RegExp(
    String.raw`^${TS}TICKER UPDATE ${PAIR}=${TV}\(last\),${TV}\(lowestAsk\),${TV}\(highestBid\),${TV}\(percentChange\),${TV}\(baseVolume\),` +
      String.raw`${TV}\(quoteVolume\),${TV}\(isFrozen\),${TV}\(high24hr\),${TV}\(low24hr\)$`,
  ),
  new RegExp(String.raw`^${TS}TOP ${PAIR} bid=(?:${DEC}@${DEC}|-) ask=(?:${DEC}@${DEC}|-) spread=(?:${SDEC}|-)$`),
];

/** stdout lines (newline-terminated) that do not match the documented grammar, quoted. */
export function offGrammarLines(stdout: string): string[] {
  const lines = stdout.split('\n');
  const last = lines.pop();
  const out = lines.filter((line) => !LINE_GRAMMAR.some((pattern) => pattern.test(line))).map(quote);
  if (last !== undefined && last !== '') out.push(`unterminated: ${quote(last)}`);
  return out;
}

/** Raw control bytes (other than newline) in `text`, each with a little context, JSON-quoted. */
export function rawControls(text: string, limit = 5): string[] {
  const out: string[] = [];
  const all = new RegExp(RAW_CONTROL.source, 'g');
  for (const match of text.matchAll(all)) {
    const at = match.index ?? 0;
    out.push(quote(text.slice(Math.max(0, at - 30), at + 30)));
    if (out.length >= limit) break;
  }
  return out;
}

/** Lines of a JavaScript stack trace ("    at fn (file:1:2)"). */
export function stackLines(text: string): string[] {
  return text.split('\n').filter((line) => /^\s+at (?:.+ \()?(?:file:|node:|\/).*:\d+:\d+\)?$/.test(line));
}
