import { formatTrimmed } from './units.js';
import type { Market } from './market.js';
import type { RestRoutes } from './rest.js';
import type { V3Listing, V3Symbol } from './v3-listing.js';
import { tickerItem } from './v3-wire.js';

/** When every simulated symbol became visible and tradable. */
const LISTED_AT_MS = 1_659_018_816_626;

/**
 * The current API's REST side: `GET /markets` and `GET /markets/ticker24h`, both from the market's
 * opening state (every connection starts from it), each showing the symbols listed by the time
 * of the request.
 */
export function v3Routes(listing: V3Listing, market: Market): RestRoutes {
  // Bodies are made once per listing state: a symbol listed late is the only change.
  const bodies = new Map<number, { readonly markets: string; readonly tickers: string }>();
  const tickers = ticker24h(listing, market);
  const current = (): { readonly markets: string; readonly tickers: string } => {
    const listed = listing.listed();
    let found = bodies.get(listed.length);
    if (found === undefined) {
      const shown = new Set(listed.map((entry) => entry.symbol));
      found = { markets: JSON.stringify(listed.map(marketEntry)), tickers: JSON.stringify(tickers.filter((t) => shown.has(t.symbol))) };
      bodies.set(listed.length, found);
    }
    return found;
  };
  return (url) => (url.pathname === '/markets' ? current().markets : url.pathname === '/markets/ticker24h' ? current().tickers : undefined);
}

function marketEntry(entry: V3Symbol): unknown {
  const { symbol, base, quote } = entry;
  const priceScale = entry.pair.priceDecimals;
  return {
    symbol,
    baseCurrencyName: base,
    quoteCurrencyName: quote,
    displayName: `${base}/${quote}`,
    state: entry.state,
    visibleStartTime: LISTED_AT_MS,
    tradableStartTime: LISTED_AT_MS,
    symbolTradeLimit: {
      symbol,
      priceScale,
      quantityScale: entry.pair.sizeDecimals,
      amountScale: priceScale,
      minQuantity: '0.00000001',
      minAmount: quote.startsWith('USD') ? '1' : '0.0001',
      highestBid: '0',
      lowestAsk: '0',
    },
    crossMargin: { supportCrossMargin: entry.crossMargin, maxLeverage: entry.crossMargin ? 3 : 1 },
  };
}

function ticker24h(listing: V3Listing, market: Market): Array<{ readonly symbol: string }> {
  const now = market.nowMs;
  return market.tickers().map(({ pair, values }) => {
    const { symbol, base, quote } = listing.ofPair(pair.id);
    const t = tickerItem(pair, symbol, values, now);
    const top = market.topOfBook(pair.id);
    return {
      symbol,
      open: t.open,
      low: t.low,
      high: t.high,
      close: t.close,
      quantity: t.quantity,
      amount: t.amount,
      tradeCount: t.tradeCount,
      startTime: t.startTime,
      closeTime: t.closeTime,
      displayName: `${base}/${quote}`,
      dailyChange: t.dailyChange,
      bid: formatTrimmed(top.bid?.price ?? 0n),
      bidQuantity: formatTrimmed(top.bid?.size ?? 0n),
      ask: formatTrimmed(top.ask?.price ?? 0n),
      askQuantity: formatTrimmed(top.ask?.size ?? 0n),
      ts: t.ts,
      markPrice: t.markPrice,
    };
  });
}
