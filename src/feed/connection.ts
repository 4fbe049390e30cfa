import WebSocket from 'ws';

/** The largest frame polo-ws accepts; a full legacy snapshot is a few hundred KiB. */
export const MAX_FRAME_BYTES = 16 * 1024 * 1024;

/** How a connection ended. */
export interface CloseInfo {
  readonly code: number;
  readonly reason: string;
  /** True for a completed closing handshake (1000, 1001, or no status code given). */
  readonly normal: boolean;
  /** The error that ended it, if one did (connect failure, protocol error). */
  readonly error: Error | undefined;
}

export interface ConnectionHandlers {
  readonly onOpen: () => void;
  /** A text message, and its UTF-8 as received (ws has checked it is UTF-8). */
  readonly onMessage: (text: string, bytes: Uint8Array | undefined) => void;
  readonly onClose: (info: CloseInfo) => void;
  /**
   * The connection is being dropped as stale: no frame at all for staleAfterMs (`frames`), or no
   * market data for dataTimeoutMs (`data`), while reading.
   */
  readonly onStale: (what: 'frames' | 'data') => void;
}

export interface ConnectionOptions {
  readonly handshakeTimeoutMs: number;
  /** No frame at all for this long (while not paused) means the feed is dead: terminate. */
  readonly staleAfterMs: number;
  /** No market data (see markData) for this long means the feed is dead, pongs or not; Infinity: never. */
  readonly dataTimeoutMs: number;
  /** Sent every `everyMs` once open, so the server keeps the connection and answers. */
  readonly keepalive: { readonly message: string; readonly everyMs: number } | undefined;
  readonly now: () => number;
}

const NORMAL_CLOSE_CODES = new Set([1000, 1001, 1005]);

/**
 * One websocket connection: open, read text frames, close. Reconnecting is the session's job;
 * this only reports how the connection ended, once.
 */
export class Connection {
  private readonly socket: WebSocket;
  private readonly timers: NodeJS.Timeout[] = [];
  private lastError: Error | undefined;
  private ended = false;
  private lastFrameAt: number;
  private lastDataAt: number;
  private paused = false;

  constructor(url: string, handlers: ConnectionHandlers, private readonly options: ConnectionOptions) {
    this.lastFrameAt = options.now();
    this.lastDataAt = this.lastFrameAt;
    this.socket = new WebSocket(url, { maxPayload: MAX_FRAME_BYTES, handshakeTimeout: options.handshakeTimeoutMs, perMessageDeflate: false });
    this.socket.on('open', () => {
      this.lastFrameAt = options.now();
      this.lastDataAt = this.lastFrameAt;
      const keepalive = options.keepalive;
      if (keepalive !== undefined) this.timers.push(setInterval(() => this.send(keepalive.message), keepalive.everyMs));
      handlers.onOpen();
    });
    this.socket.on('message', (data: WebSocket.RawData) => {
      this.lastFrameAt = options.now();
      const bytes = Buffer.isBuffer(data) ? data : undefined;
      handlers.onMessage(rawText(data), bytes);
    });
    this.socket.on('error', (error: Error) => {
      this.lastError ??= error;
    });
    this.socket.on('close', (code: number, reason: Buffer) => {
      if (this.ended) return;
      this.ended = true;
      for (const timer of this.timers) clearInterval(timer);
      const normal = this.lastError === undefined && NORMAL_CLOSE_CODES.has(code);
      handlers.onClose({ code, reason: reason.toString('utf8'), normal, error: this.lastError });
    });
    this.timers.push(setInterval(() => this.checkStale(handlers), Math.min(1000, options.staleAfterMs / 4, options.dataTimeoutMs / 4)));
  }

  /** The time of the last frame, as `now()` read it. */
  get lastFrameTime(): number {
    return this.lastFrameAt;
  }

  /** The last frame carried market data: the feed, not just the socket, is alive. */
  markData(): void {
    this.lastDataAt = this.lastFrameAt;
  }

  private checkStale(handlers: ConnectionHandlers): void {
    // While paused for a slow reader, silence is ours, not the server's.
    if (this.paused || this.socket.readyState >= WebSocket.CLOSING) return;
    const now = this.options.now();
    const what = now - this.lastFrameAt > this.options.staleAfterMs ? 'frames' : now - this.lastDataAt > this.options.dataTimeoutMs ? 'data' : undefined;
    if (what === undefined) return;
    handlers.onStale(what);
    this.terminate();
  }

  get isOpen(): boolean {
    return this.socket.readyState === WebSocket.OPEN;
  }

  send(message: string): void {
    if (this.isOpen) this.socket.send(message);
  }

  /** Stops reading from the socket (backpressure from stdout). */
  pause(): void {
    this.paused = true;
    this.socket.pause();
  }

  resume(): void {
    this.paused = false;
    // The silence while paused was the reader's: the stale clocks start again now.
    this.lastFrameAt = this.options.now();
    this.lastDataAt = this.lastFrameAt;
    this.socket.resume();
  }

  /** Starts a closing handshake; the close is reported through onClose. */
  close(): void {
    if (this.socket.readyState === WebSocket.CONNECTING) this.socket.terminate();
    else this.socket.close(1000);
  }

  /** Drops the TCP connection at once (a stale feed). */
  terminate(): void {
    this.socket.terminate();
  }
}

function rawText(data: WebSocket.RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}
