import type { WebSocket } from 'ws';
import { SimConnection, type FaultFrameKind } from './connection.js';
import type { LevelChange, MarketEvent, Trade } from './events.js';
import type { FaultPlan } from './faults.js';
import { Heartbeat } from './heartbeat.js';
import { Market } from './market.js';
import type { SimOptions } from './options.js';
import { Rng } from './rng.js';
import { ALL, PONG, UNSUBSCRIBE_ALL_ACK, Subscriptions, ackMessage, errorMessage, isChannel, parseV3Command, type V3Command } from './v3-commands.js';
import { V3_CLOCK_START_MS, type V3Listing, type V3Symbol } from './v3-listing.js';
import { V3Recorder } from './v3-oracle.js';
import { BookIds } from './v3-sequence.js';
import { bookMessage, dataMessage, malformedMessages, snapshotItem, tickerItem, tradeItem, unknownSymbolMessages, updateItem } from './v3-wire.js';
import type { V3TickerItem, V3TradeItem } from './v3-wire.js';

/** Events stepped through at most while looking for one this connection subscribed to. */
const MAX_STEPS = 100_000;
/** Share of batches that gather 2 to 4 events, so messages sometimes carry several data items. */
const MULTI_EVENT_SHARE = 0.3;

/** A book update of one symbol, numbered only when it goes out. */
interface PendingUpdate {
  readonly entry: V3Symbol;
  readonly timeMs: number;
  readonly changes: readonly LevelChange[];
}

/** One market message to send: consecutive pieces of one channel share a message. */
type Outgoing =
  | { readonly kind: 'ticker'; readonly items: V3TickerItem[] }
  | { readonly kind: 'trades'; readonly items: V3TradeItem[] }
  | { readonly kind: 'book_lv2'; readonly items: PendingUpdate[] };

/**
 * One websocket connection speaking the current API: channels ticker, trades and book_lv2 per
 * symbol. Market messages flow from the first successful subscribe until nothing is subscribed;
 * only events of subscribed channels are sent, the others still happen (and still move a
 * symbol's book ids on). There are no heartbeats; a client silent for idleTimeoutMs is dropped.
 */
export class V3Connection extends SimConnection {
  private readonly market: Market;
  private readonly listing: V3Listing;
  private readonly recorder: V3Recorder;
  private readonly subscriptions = new Subscriptions();
  private readonly ids: BookIds;
  private readonly batching: Rng;
  private readonly idle: Heartbeat;
  /** Messages of a batch that a silence fault held back. */
  private held: Outgoing[] = [];
  private lastUpdate: { readonly text: string; readonly pairIds: readonly number[] } | undefined;

  constructor(id: number, ws: WebSocket, options: SimOptions, faults: FaultPlan, listing: V3Listing) {
    super(id, ws, options, faults);
    this.market = new Market({ ...options, startMs: V3_CLOCK_START_MS });
    this.listing = listing;
    this.recorder = new V3Recorder(new Set(listing.symbols.filter((s) => s.state !== 'NORMAL').map((s) => s.symbol)));
    this.ids = new BookIds(options.seed);
    this.batching = new Rng(options.seed ^ 0x5bd1e995);
    this.idle = new Heartbeat(options.idleTimeoutMs, () => this.dropIdle());
    this.idle.start();
  }

  expectedLines(depth = 1): string[] {
    return this.recorder.render(depth);
  }

  protected override onReceived(): void {
    this.idle.touch();
  }

  protected override onResume(): void {
    const held = this.held;
    this.held = [];
    this.sendAll(held);
  }

  protected override onDispose(): void {
    this.idle.stop();
  }

  protected handle(text: string): void {
    const command = parseV3Command(text);
    switch (command.event) {
      case 'ping':
        return this.send(PONG);
      case 'error':
        return this.send(errorMessage(command.message));
      case 'unsubscribe_all':
        this.subscriptions.clear();
        return this.send(UNSUBSCRIBE_ALL_ACK);
      case 'list_subscriptions':
        return this.send(JSON.stringify({ subscriptions: this.subscriptions.channels() }));
      default:
        return this.change(command);
    }
  }

  /** Subscribe or unsubscribe: errors for unknown symbols first, then an ack per channel (and snapshots). */
  private change(command: Extract<V3Command, { readonly channels: readonly string[] }>): void {
    const subscribe = command.event === 'subscribe';
    const names = [...new Set(command.symbols)];
    const entries: V3Symbol[] = [];
    for (const name of names.filter((n) => n !== ALL)) {
      const entry = this.listing.find(name);
      if (entry === undefined) this.send(errorMessage(`Invalid symbol: ${name}`));
      else entries.push(entry);
    }
    const pairIds = entries.map((entry) => entry.pair.id);
    for (const channel of new Set(command.channels)) {
      if (!isChannel(channel)) {
        this.send(errorMessage(`Invalid channel: ${channel}`));
        continue;
      }
      const all = names.includes(ALL) && channel !== 'book_lv2';
      if (names.includes(ALL) && !all) this.send(errorMessage('Invalid symbol: all (book_lv2 takes symbol names)'));
      const accepted = names.filter((name) => (name === ALL ? all : this.listing.find(name) !== undefined));
      if (accepted.length === 0) continue;
      if (subscribe) this.subscriptions.add(channel, pairIds, all);
      else this.subscriptions.remove(channel, pairIds, all);
      this.send(ackMessage(command.event, channel, accepted));
      if (subscribe && channel === 'book_lv2') for (const entry of entries) this.sendSnapshot(entry);
    }
    if (subscribe && !this.subscriptions.empty) this.pacer.start();
  }

  private sendSnapshot(entry: V3Symbol): void {
    const item = snapshotItem(entry.symbol, this.market.snapshot(entry.pair.id), this.ids.current(entry.pair.id));
    this.send(bookMessage('snapshot', [item]));
    this.recorder.snapshot(item);
  }

  /** Steps the market to the next one to four events this connection subscribed to and sends them. */
  protected produce(): number {
    if (this.subscriptions.empty) return 0;
    const wanted = this.batching.chance(MULTI_EVENT_SHARE) ? this.batching.int(2, 4) : 1;
    const batch: Outgoing[] = [];
    for (let step = 0, found = 0; step < MAX_STEPS && found < wanted; step++) {
      if (this.collect(this.market.next(), batch)) found += 1;
    }
    return Math.max(1, this.sendAll(batch));
  }

  /** Adds what the event sends on this connection to `batch`; true if anything. */
  private collect(event: MarketEvent, batch: Outgoing[]): boolean {
    const entry = this.listing.ofPair(event.pair.id);
    const wants = (channel: Outgoing['kind']): boolean => this.subscriptions.has(channel, event.pair.id);
    if (event.kind === 'ticker') {
      if (wants('ticker')) append(batch, { kind: 'ticker', items: [tickerItem(event.pair, entry.symbol, event.values, event.timeMs)] });
      return wants('ticker');
    }
    const trades = event.items.filter((item): item is Trade => item.kind === 'trade');
    const tradesOut = trades.length > 0 && wants('trades');
    if (tradesOut) append(batch, { kind: 'trades', items: trades.map((trade) => tradeItem(entry.symbol, trade)) });
    if (!wants('book_lv2')) {
      this.ids.advance(event.pair.id);
      return tradesOut;
    }
    const changes = event.items.filter((item): item is LevelChange => item.kind === 'level');
    append(batch, { kind: 'book_lv2', items: [{ entry, timeMs: event.timeMs, changes }] });
    return true;
  }

  /** Sends messages one by one, each a market frame; a silence holds back the rest, an end drops them. */
  private sendAll(messages: readonly Outgoing[]): number {
    let sent = 0;
    for (const [index, message] of messages.entries()) {
      if (this.ending) break;
      if (this.silenced) {
        this.held = messages.slice(index);
        break;
      }
      this.sentFrames += 1;
      this.sendMessage(message);
      this.afterFrame();
      sent += 1;
    }
    return sent;
  }

  private sendMessage(message: Outgoing): void {
    if (message.kind === 'ticker') {
      this.send(dataMessage('ticker', message.items));
      this.recorder.tickers(message.items);
    } else if (message.kind === 'trades') {
      this.send(dataMessage('trades', message.items));
      this.recorder.trades(message.items);
    } else {
      this.sendUpdate(message.items);
    }
  }

  /** Numbers the updates now, so a gap claimed for this frame skips an id in the right place. */
  private sendUpdate(updates: readonly PendingUpdate[]): void {
    let gapped = false;
    const items = updates.map(({ entry, timeMs, changes }) => {
      const gap = !gapped && this.faults.claimGap(this.sentFrames, entry.symbol);
      gapped ||= gap;
      return { gap, item: updateItem(entry.symbol, timeMs, changes, this.ids.advance(entry.pair.id, gap)) };
    });
    const text = bookMessage('update', items.map(({ item }) => item));
    this.send(text);
    for (const { item, gap } of items) this.recorder.update(item, gap);
    this.lastUpdate = { text, pairIds: updates.map(({ entry }) => entry.pair.id) };
  }

  protected canDuplicate(): boolean {
    return this.lastUpdate !== undefined && this.lastUpdate.pairIds.every((id) => this.subscriptions.has('book_lv2', id));
  }

  protected faultFrames(kind: FaultFrameKind): string[] {
    const first = this.listing.symbols[0]!;
    switch (kind) {
      case 'duplicate':
        return this.lastUpdate ? [this.lastUpdate.text] : [];
      case 'malformed':
        return malformedMessages(first.symbol);
      case 'unknown-pair':
        return unknownSymbolMessages(first.pair, this.listing.unlistedSymbol(), this.market.tickers()[0]!.values, this.market.nowMs);
    }
  }

  /** The client sent nothing for idleTimeoutMs: end the session without warning, as the exchange does. */
  private dropIdle(): void {
    this.ending = true;
    this.pacer.stop();
    this.ws.terminate();
  }
}

/** Puts a piece into the batch, into the last message when that is of the same channel. */
function append(batch: Outgoing[], piece: Outgoing): void {
  const last = batch[batch.length - 1];
  if (last?.kind === 'ticker' && piece.kind === 'ticker') last.items.push(...piece.items);
  else if (last?.kind === 'trades' && piece.kind === 'trades') last.items.push(...piece.items);
  else if (last?.kind === 'book_lv2' && piece.kind === 'book_lv2') last.items.push(...piece.items);
  else batch.push(piece);
}
