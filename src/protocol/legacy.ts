import type { RestOptions } from '../markets/http.js';
import { fetchMarkets } from '../markets/fetch.js';
import { LEGACY_TICKER_MAP } from '../markets/legacy.js';
import { LegacyDecoder } from './legacy-decoder.js';
import { TICKER_CHANNEL, fastItem, fastTickerColumns } from './legacy-frames.js';
import type { Channel, MarketMap, ProtocolAdapter, SubscriptionVerb } from './types.js';

export { LegacyDecoder } from './legacy-decoder.js';
export { HEARTBEAT_CHANNEL, STATS_CHANNEL, TICKER_CHANNEL } from './legacy-frames.js';

/** The legacy push API (wss://api2.poloniex.com) with the returnTicker REST map. */
export class LegacyProtocol extends LegacyDecoder implements ProtocolAdapter {
  readonly api = 'legacy' as const;
  readonly keepalive = undefined;

  constructor(private readonly restBase: string) {
    super();
  }

  loadMarkets(rest: RestOptions): Promise<MarketMap> {
    return fetchMarkets(LEGACY_TICKER_MAP, this.restBase, rest);
  }

  subscribeMessages(pairs: readonly string[], channels: ReadonlySet<Channel>, first: boolean): string[] {
    const out = first && channels.has('ticker') ? [command('subscribe', TICKER_CHANNEL)] : [];
    // A pair's channel carries both its book and its trades.
    if (channels.has('book') || channels.has('trades')) for (const pair of pairs) out.push(command('subscribe', pair));
    return out;
  }

  unsubscribeMessages(pairs: readonly string[], channels: ReadonlySet<Channel>): string[] {
    return channels.has('book') || channels.has('trades') ? pairs.map((pair) => command('unsubscribe', pair)) : [];
  }

  resubscribeMessages(pairs: readonly string[], channel: Channel): string[] {
    if (channel === 'ticker') return [command('unsubscribe', TICKER_CHANNEL), command('subscribe', TICKER_CHANNEL)];
    return pairs.flatMap((pair) => [command('unsubscribe', pair), command('subscribe', pair)]);
  }

  /** Only books are tracked: their snapshot confirms the pair channel; the ticker channel is one for all pairs. */
  confirmable(channels: ReadonlySet<Channel>): readonly Channel[] {
    return channels.has('book') || channels.has('trades') ? ['book'] : [];
  }
}

/** A legacy command: one channel, a pair's name or a channel number, per message. */
function command(verb: SubscriptionVerb, channel: string | number): string {
  return JSON.stringify({ command: verb, channel });
}

/** For tests: the hot-path checks (legacy-schemas.ts has the schemas they must agree with). */
export const forTesting = { fastItem, fastTickerColumns };
