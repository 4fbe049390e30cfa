import type { MarketMap } from '../markets/market-map.js';
import type { RestOptions } from '../markets/http.js';

/** One price level as the exchange wrote it. */
/** A price level; a snapshot's levels from a decoder also carry their texts' decimal codes. */
export interface Level extends LevelCodes {
  readonly price: string;
  readonly size: string;
}

export type Side = 'bid' | 'ask';

export type { MarketMap };

/** The protocols polo-ws speaks. */
export type ApiName = 'legacy' | 'v3';

/** What a user can ask to stream (--channels). */
export type Channel = 'ticker' | 'book' | 'trades';

/** Every channel: the default. */
export const ALL_CHANNELS: ReadonlySet<Channel> = new Set<Channel>(['ticker', 'book', 'trades']);

/** One item of a sequenced book message, in the order the exchange sent it. */
export type BookItem =
  | { readonly kind: 'snapshot'; readonly asks: readonly Level[]; readonly bids: readonly Level[] }
  | LevelItem
  | TradeItem;

/** A level's new absolute size (zero: the level is removed). */
export interface LevelItem extends LevelCodes {
  readonly kind: 'level';
  readonly side: Side;
  readonly price: string;
  readonly size: string;
}

/**
 * The decimal codes (decimal-code.ts) of a level's price and size, for the book: the price's
 * canonical code and its own, the size's code; -1 where a text has none. The decoders give them
 * with every level (codedLevel; the scanners read them from the frame's bytes), so the book need
 * not read the texts again; a level without them (written by hand) is read by the book.
 */
export interface LevelCodes {
  readonly priceKey?: number;
  readonly priceCode?: number;
  readonly sizeCode?: number;
}

/** One trade, its columns as text ready for output. */
export interface TradeItem {
  readonly kind: 'trade';
  readonly tradeId: string;
  /** The taker's side as the reference script named it: bid = buy, ask = sell. */
  readonly side: Side;
  readonly price: string;
  readonly size: string;
  /** The trade time column as the exchange sent it (legacy: unix seconds; v3: createTime, epoch ms). */
  readonly timestamp: string;
}

/** The ticker columns polo-ws prints, each as text ready for output. */
export interface TickerFields {
  readonly last: string;
  /** Absent when the protocol has no such column; the processor fills it from the book. */
  readonly lowestAsk: string | undefined;
  readonly highestBid: string | undefined;
  readonly percentChange: string;
  readonly baseVolume: string;
  readonly quoteVolume: string;
  readonly isFrozen: string;
  readonly high24hr: string;
  readonly low24hr: string;
}

/** A frame decoded into the small set of events every protocol adapter produces. */
export type FeedEvent =
  | {
      readonly kind: 'book';
      readonly pair: string;
      /** This message's sequence number. */
      readonly seq: number;
      /** The sequence number this message follows, when the protocol says it (v3 lastId); else seq - 1. */
      readonly prevSeq: number | undefined;
      readonly items: readonly BookItem[];
      /**
       * A snapshot a publisher made of its own live book (NATS): news only to a book that is not
       * live or is older; an exchange snapshot as old as the book is applied (a resubscribe's).
       */
      readonly checkpoint?: boolean;
    }
  | {
      readonly kind: 'ticker';
      readonly pair: string;
      readonly fields: TickerFields;
      /** The exchange's time for this ticker (v3 `ts`, digits), when it sent one: part of its identity on NATS. */
      readonly time?: string | undefined;
    }
  /** A trade from a channel without a sequence (v3 `trades`); legacy trades are book items. */
  | { readonly kind: 'trade'; readonly pair: string; readonly trade: TradeItem }
  | { readonly kind: 'heartbeat' }
  /**
   * The server confirmed a subscribe or unsubscribe: of `channel` (undefined when it is none polo-ws
   * uses) for `pairs` (empty when the ack names no pair, as legacy's ticker channel).
   */
  | { readonly kind: 'ack'; readonly channel: Channel | undefined; readonly pairs: readonly string[]; readonly subscribed: boolean }
  | { readonly kind: 'server-error'; readonly message: string }
  | { readonly kind: 'ignored' };

/** What decoding one raw frame gave. */
export type DecodeResult =
  | { readonly ok: true; readonly events: readonly FeedEvent[] }
  | { readonly ok: false; readonly reason: 'bad-frame'; readonly detail: string }
  | { readonly ok: false; readonly reason: 'unknown-pair'; readonly pairId: string }
  /** The frame needs the zod schemas, not loaded yet (frame-schemas.ts): decode it again once they are. */
  | { readonly ok: false; readonly reason: 'needs-schemas' };

/** What a subscription message asks of the server; each protocol words it its own way. */
export type SubscriptionVerb = 'subscribe' | 'unsubscribe';

/**
 * A protocol adapter: how to list markets, subscribe, resubscribe, keep alive and decode frames.
 * The book processor and the printer never see raw frames.
 */
export interface ProtocolAdapter {
  readonly api: ApiName;
  /** Fetches the market list from the REST API (throws HttpError / BadMarketsError). */
  loadMarkets(rest: RestOptions): Promise<MarketMap>;
  /** Gives the decoder the current market map (after start-up or a refresh). */
  setMarkets(markets: MarketMap): void;
  /**
   * Messages that subscribe these pairs to the channels asked for; `first` on a new connection
   * (legacy's ticker channel covers every pair and is subscribed once).
   */
  subscribeMessages(pairs: readonly string[], channels: ReadonlySet<Channel>, first: boolean): string[];
  /** Messages that unsubscribe these pairs from the channels asked for (delisted markets). */
  unsubscribeMessages(pairs: readonly string[], channels: ReadonlySet<Channel>): string[];
  /**
   * Messages that drop and request again one channel of these pairs: a fresh book snapshot after a
   * gap, or a subscription the server never confirmed.
   */
  resubscribeMessages(pairs: readonly string[], channel: Channel): string[];
  /**
   * Which of `channels` each subscribed pair must see confirmed: ticker and trades by the server's
   * ack, the book by its snapshot. Legacy pairs' trades ride on their book channel.
   */
  confirmable(channels: ReadonlySet<Channel>): readonly Channel[];
  /**
   * A message to send at least every `intervalMs` so the server keeps the connection (and answers,
   * so the feed is never silent for long), if the protocol needs one.
   */
  readonly keepalive: { readonly intervalMs: number; readonly message: string } | undefined;
  /**
   * Decodes one text frame. `bytes`: its UTF-8 as received, when at hand (the websocket's), which
   * the scanner then reads instead of encoding the text again. Never throws.
   */
  decode(text: string, bytes?: Uint8Array): DecodeResult;
}
