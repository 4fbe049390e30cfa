import type { RestOptions } from '../markets/http.js';
import { fetchMarkets } from '../markets/fetch.js';
import { V3_MARKET_LIST } from '../markets/v3.js';
import { V3Decoder } from './v3-decoder.js';
import { V3_CHANNEL_NAMES, fastBookItem, fastEnvelope, fastTickerItem, fastTradeItem } from './v3-frames.js';
import type { Channel, MarketMap, ProtocolAdapter, SubscriptionVerb } from './types.js';

export { V3Decoder } from './v3-decoder.js';

/** Symbols per subscribe message: the documented API sets no cap, so stay modest. */
export const SUBSCRIBE_BATCH = 50;
/** The server drops a connection silent for 30 s; ping well inside that. */
export const PING_INTERVAL_MS = 15_000;

/** The current Poloniex API: REST /markets and wss://ws.poloniex.com/ws/public. */
export class V3Protocol extends V3Decoder implements ProtocolAdapter {
  readonly api = 'v3' as const;
  readonly keepalive = { intervalMs: PING_INTERVAL_MS, message: JSON.stringify({ event: 'ping' }) };

  constructor(private readonly restBase: string) {
    super();
  }

  loadMarkets(rest: RestOptions): Promise<MarketMap> {
    return fetchMarkets(V3_MARKET_LIST, this.restBase, rest);
  }

  subscribeMessages(pairs: readonly string[], channels: ReadonlySet<Channel>): string[] {
    return batched('subscribe', pairs, channels);
  }

  unsubscribeMessages(pairs: readonly string[], channels: ReadonlySet<Channel>): string[] {
    return batched('unsubscribe', pairs, channels);
  }

  resubscribeMessages(pairs: readonly string[], channel: Channel): string[] {
    const one = new Set([channel]);
    return [...batched('unsubscribe', pairs, one), ...batched('subscribe', pairs, one)];
  }

  confirmable(channels: ReadonlySet<Channel>): readonly Channel[] {
    return V3_CHANNEL_NAMES.filter(([channel]) => channels.has(channel)).map(([channel]) => channel);
  }
}

/** One message per channel asked for and batch of SUBSCRIBE_BATCH symbols. */
function batched(verb: SubscriptionVerb, pairs: readonly string[], channels: ReadonlySet<Channel>): string[] {
  const names = V3_CHANNEL_NAMES.filter(([channel]) => channels.has(channel)).map(([, name]) => name);
  const out: string[] = [];
  for (let i = 0; i < pairs.length; i += SUBSCRIBE_BATCH) {
    const symbols = pairs.slice(i, i + SUBSCRIBE_BATCH);
    for (const name of names) out.push(command(verb, name, symbols));
  }
  return out;
}

/** A v3 command: one channel, as a list of one name, for a batch of symbols. */
function command(verb: SubscriptionVerb, channel: string, symbols: readonly string[]): string {
  return JSON.stringify({ event: verb, channel: [channel], symbols });
}

/** For tests: the hot-path checks (v3-schemas.ts has the schemas they must agree with). */
export const forTesting = { fastEnvelope, fastBookItem, fastTradeItem, fastTickerItem };
