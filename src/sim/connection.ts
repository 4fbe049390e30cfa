import type { RawData, WebSocket } from 'ws';
import type { AfterFrameFault, FaultPlan } from './faults.js';
import type { SimOptions } from './options.js';
import { Pacer } from './pacer.js';

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
  /**
   * Market frames sent so far: legacy book updates and tickers; v3 book updates, trades and
   * ticker messages. Never snapshots, acks, pongs, heartbeats or fault frames.
   */
  readonly framesSent: number;
  /** What a correct client prints for this connection, in order, without timestamps. */
  expectedLines(depth?: number): string[];
}

/** Fault kinds that send frames of the protocol's own making. */
export type FaultFrameKind = Extract<AfterFrameFault['kind'], 'duplicate' | 'malformed' | 'unknown-pair'>;

/**
 * One simulated websocket connection, whatever its protocol: close bookkeeping, the pacer, the
 * frames limit and the faults that end or mute a stream. Subclasses speak a protocol: they answer
 * commands, produce market frames and make the fault frames. Each connection trades on its own
 * copy of the seeded market, so the same seed gives every connection the same event stream.
 */
export abstract class SimConnection implements SimConnectionLog {
  readonly id: number;
  /** Resolves once the socket has closed, whoever closed it. */
  readonly closed: Promise<void>;
  protected readonly ws: WebSocket;
  protected readonly options: SimOptions;
  protected readonly faults: FaultPlan;
  protected readonly pacer: Pacer;
  /** Market frames sent so far; a subclass adds one before sending each. */
  protected sentFrames = 0;
  /** A close or cut is under way: nothing more goes out. */
  protected ending = false;
  /** A data-stall fault fired: no market data goes out any more, commands are still answered. */
  private stalled = false;
  private code: number | undefined;
  /** Set while a silence fault lasts: commands wait here and are answered when it ends. */
  private deferred: string[] | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(id: number, ws: WebSocket, options: SimOptions, faults: FaultPlan) {
    this.id = id;
    this.ws = ws;
    this.options = options;
    this.faults = faults;
    // A stalled connection has nothing to produce: 0 parks the pacer whoever starts it.
    this.pacer = new Pacer(ws, options.rate, () => (this.stalled ? 0 : this.produce()));
    this.closed = new Promise((resolve) => {
      ws.once('close', (code: number) => {
        this.code = code;
        this.dispose();
        resolve();
      });
    });
    // A client vanishing mid-frame is routine here; 'close' follows and says so.
    ws.on('error', () => undefined);
    ws.on('message', (data: RawData) => this.receive(rawText(data)));
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

  abstract expectedLines(depth?: number): string[];

  /** Drops the socket at once and stops every timer (simulator shutdown). */
  terminate(): void {
    this.ending = true;
    this.dispose();
    this.ws.terminate();
  }

  /** Answers one client message (never called during a silence). */
  protected abstract handle(text: string): void;

  /** Pacer callback: sends market frames and returns how many (at least 1), or 0 when there is nothing to send. */
  protected abstract produce(): number;

  /** The frames of a duplicate, malformed or unknown-pair fault. */
  protected abstract faultFrames(kind: FaultFrameKind): string[];

  /** Whether there is a book update a duplicate fault may repeat now. */
  protected abstract canDuplicate(): boolean;

  /** A frame just went out. */
  protected onSent(): void {}

  /** A client message just came in (during a silence too). */
  protected onReceived(): void {}

  /** A silence of `ms` begins. */
  protected onSilence(_ms: number): void {}

  /** A silence ended; called before the commands it held back are answered. */
  protected onResume(): void {}

  /** The connection is over: stop the subclass's timers. */
  protected onDispose(): void {}

  /** True once a data-stall fault fired: send no market data, snapshots included. */
  protected get dataStalled(): boolean {
    return this.stalled;
  }

  /** True while a silence fault lasts. */
  protected get silenced(): boolean {
    return this.deferred !== undefined;
  }

  protected send(frame: string): void {
    if (this.ending || this.ws.readyState !== this.ws.OPEN) return;
    this.ws.send(frame);
    this.onSent();
  }

  /** After each market frame: applies the faults due, then the frames limit. */
  protected afterFrame(): void {
    for (const fault of this.faults.claimAfterFrame(this.sentFrames, this.canDuplicate())) {
      if (!this.ending) this.apply(fault);
    }
    if (this.deferred === undefined) this.finishIfDone();
  }

  private receive(text: string): void {
    this.onReceived();
    if (this.deferred !== undefined) this.deferred.push(text);
    else if (!this.ending) this.handle(text);
  }

  /** Fault frames go out unrecorded: a correct client prints nothing for them. */
  private apply(fault: AfterFrameFault): void {
    switch (fault.kind) {
      case 'duplicate':
      case 'malformed':
      case 'unknown-pair':
        for (const frame of this.faultFrames(fault.kind)) this.send(frame);
        break;
      case 'data-stall':
        this.stalled = true;
        this.pacer.stop();
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
    this.onSilence(ms);
    this.deferred = [];
    this.timer = setTimeout(() => {
      const queued = this.deferred ?? [];
      this.deferred = undefined;
      this.timer = undefined;
      this.onResume();
      // receive(), not handle(): a fault fired while resuming may have begun another silence.
      for (const text of queued) this.receive(text);
      if (!this.ending && this.deferred === undefined && !this.finishIfDone()) this.pacer.start();
    }, ms);
  }

  private dispose(): void {
    this.pacer.stop();
    this.onDispose();
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}

function rawText(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  return (Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data)).toString('utf8');
}
