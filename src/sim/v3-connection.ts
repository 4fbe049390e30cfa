import type { WebSocket } from 'ws';
import { SimConnection, type FaultFrameKind } from './connection.js';
import type { FaultPlan } from './faults.js';
import { Heartbeat } from './heartbeat.js';
import type { SimOptions } from './options.js';
import { ALL, PONG, UNSUBSCRIBE_ALL_ACK, Subscriptions, ackMessage, errorMessage, isChannel, parseV3Command, type V3Command } from './v3-commands.js';
import { V3Feed, type V3Piece } from './v3-feed.js';
import type { V3Listing, V3Symbol } from './v3-listing.js';
import { V3Oracle } from './v3-oracle.js';
import { bookMessage, dataMessage, malformedMessages, unknownSymbolMessages } from './v3-wire.js';

/** Events stepped through at most while looking for one this connection subscribed to. */
const MAX_STEPS = 100_000;
/** How long a close-after-ack connection keeps acking before it fails: commands sent together all get their acks. */
const FAIL_AFTER_ACK_MS = 20;

/** A piece of a market event that goes out on this connection, with its symbol. */
interface Outgoing {
  readonly entry: V3Symbol;
  readonly piece: V3Piece;
}

/**
 * One websocket connection speaking the current API: channels ticker, trades and book_lv2 per
 * symbol, one data item per message. Market messages flow from the first successful subscribe
 * until nothing is subscribed; only events of subscribed channels are sent, the others still
 * happen (and still move a symbol's book ids on). There are no heartbeats; a client silent for
 * idleTimeoutMs is dropped.
 */
export class V3Connection extends SimConnection {
  private readonly feed: V3Feed;
  private readonly listing: V3Listing;
  private readonly oracle: V3Oracle;
  private readonly subscriptions = new Subscriptions();
  private readonly idle: Heartbeat;
  /** Pairs this connection has subscribed to book_lv2 at some time: a subscribe of one again is a resubscribe. */
  private readonly booked = new Set<number>();
  /** close-after-ack: this connection acks, then fails every subscription and closes. */
  private readonly failsAfterAck: boolean;
  private failTimer: NodeJS.Timeout | undefined;
  /** Messages of a market event that a silence fault held back. */
  private held: Outgoing[] = [];
  private lastUpdate: { readonly text: string; readonly pairId: number } | undefined;

  constructor(id: number, ws: WebSocket, options: SimOptions, faults: FaultPlan, listing: V3Listing) {
    super(id, ws, options, faults);
    this.feed = new V3Feed(options.seed, options.pairs, options.depth, listing);
    this.listing = listing;
    this.oracle = new V3Oracle(new Set(listing.symbols.filter((s) => s.state !== 'NORMAL').map((s) => s.symbol)));
    this.failsAfterAck = faults.failsAfterAck(id);
    this.idle = new Heartbeat(options.idleTimeoutMs, () => this.dropIdle());
    this.idle.start();
  }

  expectedLines(depth = 1): string[] {
    return this.oracle.render(depth);
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
    clearTimeout(this.failTimer);
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
      if (subscribe && channel === 'book_lv2' && this.refusesResubscribe(entries)) continue;
      if (this.failsAfterAck) {
        // The exchange acks first and fails afterwards: nothing is subscribed, no snapshot.
        this.send(ackMessage(command.event, channel, accepted));
        if (subscribe) this.failSoon();
        continue;
      }
      if (subscribe) this.subscriptions.add(channel, pairIds, all);
      else this.subscriptions.remove(channel, pairIds, all);
      this.send(ackMessage(command.event, channel, accepted));
      if (subscribe && channel === 'book_lv2') for (const entry of entries) this.subscribeBook(entry);
    }
    if (subscribe && !this.subscriptions.empty) this.pacer.start();
  }

  /**
   * refuse-resubscribe: a book_lv2 subscribe naming a symbol this connection had unsubscribed
   * is answered "Already subscribed" alone, and subscribes none of its symbols.
   */
  private refusesResubscribe(entries: readonly V3Symbol[]): boolean {
    const again = entries.some((e) => this.booked.has(e.pair.id) && !this.subscriptions.has('book_lv2', e.pair.id));
    if (!again || !this.faults.takeResubscribeRefusal()) return false;
    this.send(errorMessage('Already subscribed'));
    return true;
  }

  private subscribeBook(entry: V3Symbol): void {
    this.booked.add(entry.pair.id);
    // In a data stall the subscription is acked but its snapshot never comes.
    if (this.dataStalled) return;
    const item = this.feed.snapshot(entry);
    this.send(bookMessage('snapshot', item));
    this.oracle.snapshot(item);
  }

  /** close-after-ack: once the acks of the commands sent together are out, fail and close (1001). */
  private failSoon(): void {
    if (this.failTimer !== undefined) return;
    this.failTimer = setTimeout(() => {
      this.send(errorMessage('Subscription failed'));
      this.ending = true;
      this.ws.close(1001, 'Subscription failed');
    }, FAIL_AFTER_ACK_MS);
  }

  /** Steps the market to the next event that sends anything on this connection and sends it. */
  protected produce(): number {
    if (this.subscriptions.empty) return 0;
    for (let step = 0; step < MAX_STEPS; step++) {
      const wanted = this.collect();
      if (wanted.length > 0) return Math.max(1, this.sendAll(wanted));
    }
    return 1;
  }

  /** One market event: what of it goes out here. A window change not sent still spends an id. */
  private collect(): Outgoing[] {
    const { entry, pieces } = this.feed.next();
    const listed = this.listing.isListed(entry);
    const out: Outgoing[] = [];
    for (const piece of pieces) {
      if (listed && this.subscriptions.has(piece.kind, entry.pair.id)) out.push({ entry, piece });
      else if (piece.kind === 'book_lv2') this.feed.pass(entry);
    }
    return out;
  }

  /** Sends messages one by one, each a market frame; a silence holds back the rest, an end or a stall drops them. */
  private sendAll(messages: readonly Outgoing[]): number {
    let sent = 0;
    for (const [index, message] of messages.entries()) {
      if (this.ending || this.dataStalled) break;
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

  private sendMessage({ entry, piece }: Outgoing): void {
    if (piece.kind === 'ticker') {
      this.send(dataMessage('ticker', piece.item));
      this.oracle.tickers([piece.item]);
    } else if (piece.kind === 'trades') {
      this.send(dataMessage('trades', piece.item));
      this.oracle.trades([piece.item]);
    } else {
      // Numbered now, so a gap claimed for this frame skips an id in the right place.
      const gap = this.faults.claimGap(this.sentFrames, entry.symbol);
      const item = this.feed.update(entry, piece, gap);
      const text = bookMessage('update', item);
      this.send(text);
      this.oracle.update(item, gap);
      this.lastUpdate = { text, pairId: entry.pair.id };
    }
  }

  protected canDuplicate(): boolean {
    return this.lastUpdate !== undefined && this.subscriptions.has('book_lv2', this.lastUpdate.pairId);
  }

  protected faultFrames(kind: FaultFrameKind): string[] {
    const first = this.listing.symbols[0]!;
    const market = this.feed.market;
    switch (kind) {
      case 'duplicate':
        return this.lastUpdate ? [this.lastUpdate.text] : [];
      case 'malformed':
        return malformedMessages(first.symbol);
      case 'unknown-pair':
        return unknownSymbolMessages(first.pair, this.listing.unlistedSymbol(), market.tickers()[0]!.values, market.nowMs);
    }
  }

  /** The client sent nothing for idleTimeoutMs: end the session without warning, as the exchange does. */
  private dropIdle(): void {
    this.ending = true;
    this.pacer.stop();
    this.ws.terminate();
  }
}
