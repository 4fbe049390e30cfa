import type { WebSocket } from 'ws';

/** Above this many bytes queued on the socket, stop producing until the client catches up. */
const HIGH_WATER_BYTES = 1 << 20;
/** Most frames produced in one turn of the event loop, so commands and timers get their turn. */
const BATCH = 256;
/** How often to look again at a full socket buffer. */
const DRAIN_POLL_MS = 5;

/**
 * Paces market frames on one connection: `rate` per second, or with rate 0 as fast as the socket
 * drains. Either way it never queues more than about HIGH_WATER_BYTES: a slow reader slows the
 * feed instead of growing the server's memory.
 */
export class Pacer {
  private readonly ws: WebSocket;
  private readonly rate: number;
  private readonly produce: () => number;
  private running = false;
  private timer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;
  private baseAt = 0;
  private sinceBase = 0;

  /**
   * `produce` sends one or a few frames and returns how many (counted against the rate), or 0
   * when it has nothing to send: the pacer then idles until `start()`.
   */
  constructor(ws: WebSocket, rate: number, produce: () => number) {
    this.ws = ws;
    this.rate = rate;
    this.produce = produce;
  }

  /** Starts or resumes production; a no-op while running. The rate is counted from now. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.rebase();
    this.schedule(this.rate === 0 ? 0 : 1000 / this.rate);
  }

  /** Stops production and clears its timers. */
  stop(): void {
    this.running = false;
    clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    this.timer = undefined;
    this.immediate = undefined;
  }

  private rebase(): void {
    this.baseAt = performance.now();
    this.sinceBase = 0;
  }

  private schedule(delayMs: number): void {
    if (delayMs <= 0) this.immediate = setImmediate(this.run);
    else this.timer = setTimeout(this.run, delayMs);
  }

  private readonly run = (): void => {
    this.timer = undefined;
    this.immediate = undefined;
    if (!this.running) return;
    if (this.ws.bufferedAmount > HIGH_WATER_BYTES) return this.schedule(DRAIN_POLL_MS);
    const due = this.rate === 0 ? BATCH : this.dueFrames();
    for (let i = 0; i < due; ) {
      const sent = this.produce();
      if (sent === 0) {
        this.stop();
        return;
      }
      i += sent;
      this.sinceBase += sent;
      if (!this.running) return;
      if (this.ws.bufferedAmount > HIGH_WATER_BYTES) return this.schedule(DRAIN_POLL_MS);
    }
    this.schedule(this.rate === 0 ? 0 : this.baseAt + ((this.sinceBase + 1) * 1000) / this.rate - performance.now());
  };

  /** Frames owed by the clock; after a stall, restart the count rather than burst to catch up. */
  private dueFrames(): number {
    const owed = Math.floor(((performance.now() - this.baseAt) * this.rate) / 1000) - this.sinceBase;
    if (owed > Math.max(BATCH, this.rate)) {
      this.rebase();
      return 1;
    }
    return Math.min(owed, BATCH);
  }
}
