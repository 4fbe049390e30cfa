import type { RawData, WebSocket } from 'ws';
import type { BookUpdate, TickerUpdate } from './events.js';
import type { FaultPlan, AfterFrameFault } from './faults.js';
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
import { Recorder } from './oracle.js';
import { Pacer } from './pacer.js';

/** Events stepped through at most while looking for one this connection subscribed to. */
const MAX_STEPS = 100_000;
/** How often a `cut` looks whether the frames already sent have left the process. */
const FLUSH_POLL_MS = 2;

/** What the simulator tells about one accepted websocket connection. */
export interface SimConnectionLog {
  /** 1, 2, ... in accept order. */
  readonly id: number;
  /** undefined while open; true if it closed with a closing handshake, false if the TCP connection just ended. */
  readonly closedNormally: boolean | undefined;
  /** The close code seen by the server (1006 when there was no close frame); undefined while open. */
  readonly closeCode: number | undefined;
  /** Market frames (book updates and tickers, not snapshots or fault frames) sent so far. */
  readonly framesSent: number;
  /** What a correct client prints for this connection, in order, without timestamps. */
  expectedLines(depth?: number): string[];
}

/**
 * One websocket connection speaking the legacy push API. Each connection trades on its own copy
 * of the seeded market, so the same seed gives every connection the same event stream. Only
 * events of subscribed channels are sent; the others still happen, which is why a resubscribed
 * pair's snapshot carries a later seq.
 */
export class LegacyConnection implements SimConnectionLog {
  readonly id: number;
  /** Resolves once the socket has closed, whoever closed it. */
  readonly closed: Promise<void>;
  private code: number | undefined;
  private readonly ws: WebSocket;
  private readonly options: SimOptions;
  private readonly faults: FaultPlan;
  private readonly market: Market;
  private readonly recorder = new Recorder();
  private readonly pacer: Pacer;
  private readonly heartbeat: Heartbeat;
  private readonly pairs = new Set<number>();
  private tickerOn = false;
  private sentFrames = 0;
  /** Set while a silence fault lasts: commands wait here and are answered when it ends. */
  private deferred: string[] | undefined;
  /** A close or cut is under way: nothing more goes out. */
  private ending = false;
  private timer: NodeJS.Timeout | undefined;
  private lastUpdate: { readonly pairId: number; readonly frame: string } | undefined;

  constructor(id: number, ws: WebSocket, options: SimOptions, faults: FaultPlan) {
    this.id = id;
    this.ws = ws;
    this.options = options;
    this.faults = faults;
    this.market = new Market(options);
    this.pacer = new Pacer(ws, options.rate, () => this.sendMarketFrame());
    this.heartbeat = new Heartbeat(options.heartbeatMs, () => this.send(HEARTBEAT_FRAME));
    this.closed = new Promise((resolve) => {
      ws.once('close', (code: number) => {
        this.code = code;
        this.dispose();
        resolve();
      });
    });
    // A client vanishing mid-frame is routine here; 'close' follows and says so.
    ws.on('error', () => undefined);
    ws.on('message', (data: RawData) => this.onMessage(rawText(data)));
    this.heartbeat.start();
  }

  get closedNormally(): boolean | undefined {
    return this.code === undefined ? undefined : this.code !== 1006;
  }

  get closeCode(): number | undefined {
    return this.code;
  }

  get framesSent(): number {
    return this.sentFrames;
  }

  expectedLines(depth = 1): string[] {
    return this.recorder.render(depth);
  }

  /** Drops the socket at once and stops every timer (simulator shutdown). */
  terminate(): void {
    this.ending = true;
    this.dispose();
    this.ws.terminate();
  }

  private send(frame: string): void {
    if (this.ending || this.ws.readyState !== this.ws.OPEN) return;
    this.ws.send(frame);
    this.heartbeat.touch();
  }

  private onMessage(text: string): void {
    if (this.deferred !== undefined) {
      this.deferred.push(text);
      return;
    }
    if (this.ending) return;
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
      // No ack for a pair: the snapshot is the answer, with the current seq.
      this.pairs.add(channel.pair.id);
      const snapshot = this.market.snapshot(channel.pair.id);
      this.send(encodeSnapshot(snapshot, this.options.epochMs));
      this.recorder.snapshot(snapshot);
    } else {
      this.pairs.delete(channel.pair.id);
      this.send(ackFrame(channel.pair.id, false));
    }
    if (subscribe) this.pacer.start();
  }

  /** Pacer callback: steps the market to the next event this connection subscribed to and sends it. */
  private sendMarketFrame(): boolean {
    if (!this.tickerOn && this.pairs.size === 0) return false;
    for (let step = 0; step < MAX_STEPS; step++) {
      const event = this.market.next();
      const wanted = event.kind === 'ticker' ? this.tickerOn : this.pairs.has(event.pair.id);
      if (!wanted) continue;
      this.sentFrames += 1;
      if (event.kind === 'ticker') this.sendTicker(event);
      else this.sendBookUpdate(event);
      this.afterFrame();
      return true;
    }
    return true;
  }

  private sendBookUpdate(event: BookUpdate): void {
    const gap = this.faults.claimGap(this.sentFrames, event.pair.name);
    const update = gap ? { ...event, seq: this.market.skipSeq(event.pair.id) } : event;
    const frame = encodeBookUpdate(update, this.options.epochMs);
    this.send(frame);
    this.recorder.book(update, gap);
    this.lastUpdate = { pairId: update.pair.id, frame };
  }

  private sendTicker(event: TickerUpdate): void {
    this.send(encodeTicker(event));
    this.recorder.ticker(event);
  }

  private afterFrame(): void {
    const canDuplicate = this.lastUpdate !== undefined && this.pairs.has(this.lastUpdate.pairId);
    for (const fault of this.faults.claimAfterFrame(this.sentFrames, canDuplicate)) {
      if (!this.ending) this.apply(fault);
    }
    if (this.deferred === undefined) this.finishIfDone();
  }

  /** Fault frames go out unrecorded: a correct client prints nothing for them. */
  private apply(fault: AfterFrameFault): void {
    switch (fault.kind) {
      case 'duplicate':
        if (this.lastUpdate) this.send(this.lastUpdate.frame);
        break;
      case 'malformed':
        for (const frame of malformedFrames(this.market.pairs[0]?.id ?? 0)) this.send(frame);
        break;
      case 'unknown-pair':
        for (const frame of unknownPairFrames(this.market.unlistedPairId(), this.market.tickers()[0]!.values)) this.send(frame);
        break;
      case 'cut':
        this.cut();
        break;
      case 'silence':
        this.silence(fault.ms);
        break;
    }
  }

  /** Closes normally (1000) once the frames limit is reached; true if it did. */
  private finishIfDone(): boolean {
    if (this.options.frames === undefined || this.sentFrames < this.options.frames || this.ending) return false;
    this.ending = true;
    this.pacer.stop();
    this.ws.close(1000, 'frames limit reached');
    return true;
  }

  /** Destroys the socket without a close frame, once what was sent has left the process. */
  private cut(): void {
    this.ending = true;
    this.pacer.stop();
    // Frames still queued in user space would die with the socket, and the oracle counts them as sent.
    const destroyWhenFlushed = (): void => {
      if (this.ws.bufferedAmount === 0) this.ws.terminate();
      else this.timer = setTimeout(destroyWhenFlushed, FLUSH_POLL_MS);
    };
    destroyWhenFlushed();
  }

  private silence(ms: number): void {
    this.pacer.stop();
    this.heartbeat.mute(ms);
    this.deferred = [];
    this.timer = setTimeout(() => {
      const queued = this.deferred ?? [];
      this.deferred = undefined;
      this.timer = undefined;
      for (const text of queued) this.onMessage(text);
      if (!this.finishIfDone()) this.pacer.start();
    }, ms);
  }

  private dispose(): void {
    this.pacer.stop();
    this.heartbeat.stop();
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}

function rawText(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  return (Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data)).toString('utf8');
}
