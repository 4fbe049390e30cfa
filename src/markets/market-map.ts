/**
 * What the exchange's REST market list gives polo-ws: the tradable pairs and their states. The
 * bottom of the pipeline: protocols and the feed take it from here.
 */

/** The tradable pairs, as a protocol's REST API lists them. */
export interface MarketMap {
  /** Pair names in the exchange's order. */
  readonly pairs: readonly string[];
  /** Legacy numeric channel id -> pair name (empty for protocols without ids). */
  readonly byId: ReadonlyMap<string, string>;
  /** Pairs the exchange lists as not trading (v3 state other than NORMAL); their isFrozen column is 1. */
  readonly frozen: ReadonlySet<string>;
  /** The exchange's own word for each pair's state (v3 `state`), where it gives one. */
  readonly states?: ReadonlyMap<string, string>;
  /** Names the list gave that are not plain names (see isSymbolText): left out, reported. */
  readonly ignored?: readonly string[];
}

/** A pair name: a letter or digit, then up to 63 letters, digits, '_', '-' or '.' ("BTC_USDT", "1INCH_USDT"). */
export const SYMBOL_TEXT = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

export function isSymbolText(value: unknown): value is string {
  return typeof value === 'string' && SYMBOL_TEXT.test(value);
}
