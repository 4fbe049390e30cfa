import type { WebSocket } from 'ws';
import { SimConnection, type FaultFrameKind } from './connection.js';
import type { BookUpdate, TickerUpdate } from './events.js';
import type { FaultPlan } from './faults.js';
import { Heartbeat } from './heartbeat.js';
import {
  HEARTBEAT_FRAME,
  TICKER_CHANNEL,
  ackFrame,
  encodeBookUpdate,
  encodeSnapshot,
  encodeTicker,
  errorFrame,
  malformedFrames,
  parseCommand,
  unknownPairFrames,
} from './legacy.js';
import { Market } from './market.js';
import type { SimOptions } from './options.js';
import { LegacyOracle } from './legacy-oracle.js';

/** Events stepped through at most while looking for one this connection subscribed to. */
const MAX_STEPS = 100_000;

/**
 * One websocket connection speaking the legacy push API. Only events of subscribed channels are
 * sent; the others still happen, which is why a resubscribed pair's snapshot carries a later seq.
 */
export class LegacyConnection extends SimConnection {
  private readonly market: Market;
  private readonly oracle = new LegacyOracle();
  private readonly heartbeat: Heartbeat;
  private readonly pairs = new Set<number>();
  private tickerOn = false;
  private lastUpdate: { readonly pairId: number; readonly frame: string } | undefined;

  constructor(id: number, ws: WebSocket, options: SimOptions, faults: FaultPlan) {
    super(id, ws, options, faults);
    this.market = new Market(options);
    this.heartbeat = new Heartbeat(options.heartbeatMs, () => this.send(HEARTBEAT_FRAME));
    this.heartbeat.start();
  }

  expectedLines(depth = 1): string[] {
    return this.oracle.render(depth);
  }

  protected override onSent(): void {
    this.heartbeat.touch();
  }

  protected override onSilence(ms: number): void {
    this.heartbeat.mute(ms);
  }

  protected override onDispose(): void {
    this.heartbeat.stop();
  }

  protected handle(text: string): void {
    const command = parseCommand(text, (key) =>
      typeof key === 'number' ? this.market.pairById(key) : this.market.pairByName(key),
    );
    if (!command.ok) return this.send(errorFrame(command.error));
    const { action, channel } = command;
    const subscribe = action === 'subscribe';
    if (channel.kind === 'ticker') {
      this.tickerOn = subscribe;
      this.send(ackFrame(TICKER_CHANNEL, subscribe));
    } else if (subscribe) {
      // No ack for a pair: the snapshot is the answer, with the current seq (none in a data stall).
      this.pairs.add(channel.pair.id);
      if (!this.dataStalled) this.sendSnapshot(channel.pair.id);
    } else {
      this.pairs.delete(channel.pair.id);
      this.send(ackFrame(channel.pair.id, false));
    }
    if (subscribe) this.pacer.start();
  }

  /** Steps the market to the next event this connection subscribed to and sends it. */
  protected produce(): number {
    if (!this.tickerOn && this.pairs.size === 0) return 0;
    for (let step = 0; step < MAX_STEPS; step++) {
      const event = this.market.next();
      const wanted = event.kind === 'ticker' ? this.tickerOn : this.pairs.has(event.pair.id);
      if (!wanted) continue;
      this.sentFrames += 1;
      if (event.kind === 'ticker') this.sendTicker(event);
      else this.sendBookUpdate(event);
      this.afterFrame();
      return 1;
    }
    return 1;
  }

  protected canDuplicate(): boolean {
    return this.lastUpdate !== undefined && this.pairs.has(this.lastUpdate.pairId);
  }

  protected faultFrames(kind: FaultFrameKind): string[] {
    switch (kind) {
      case 'duplicate':
        return this.lastUpdate ? [this.lastUpdate.frame] : [];
      case 'malformed':
        return malformedFrames(this.market.pairs[0]?.id ?? 0);
      case 'unknown-pair':
        return unknownPairFrames(this.market.unlistedPairId(), this.market.tickers()[0]!.values);
    }
  }

  private sendSnapshot(pairId: number): void {
    const snapshot = this.market.snapshot(pairId);
    this.send(encodeSnapshot(snapshot, this.options.epochMs));
    this.oracle.snapshot(snapshot);
  }

  private sendBookUpdate(event: BookUpdate): void {
    const gap = this.faults.claimGap(this.sentFrames, event.pair.name);
    const update = gap ? { ...event, seq: this.market.skipSeq(event.pair.id) } : event;
    const frame = encodeBookUpdate(update, this.options.epochMs);
    this.send(frame);
    this.oracle.book(update, gap);
    this.lastUpdate = { pairId: update.pair.id, frame };
  }

  private sendTicker(event: TickerUpdate): void {
    this.send(encodeTicker(event));
    this.oracle.ticker(event);
  }
}
