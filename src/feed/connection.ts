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
  readonly onMessage: (text: string) => void;
  readonly onClose: (info: CloseInfo) => void;
}

const NORMAL_CLOSE_CODES = new Set([1000, 1001, 1005]);

/**
 * One websocket connection: open, read text frames, close. Reconnecting is the session's job;
 * this only reports how the connection ended, once.
 */
export class Connection {
  private readonly socket: WebSocket;
  private lastError: Error | undefined;
  private ended = false;

  constructor(url: string, handlers: ConnectionHandlers, handshakeTimeoutMs: number) {
    this.socket = new WebSocket(url, { maxPayload: MAX_FRAME_BYTES, handshakeTimeout: handshakeTimeoutMs, perMessageDeflate: false });
    this.socket.on('open', handlers.onOpen);
    this.socket.on('message', (data: WebSocket.RawData) => handlers.onMessage(rawText(data)));
    this.socket.on('error', (error: Error) => {
      this.lastError ??= error;
    });
    this.socket.on('close', (code: number, reason: Buffer) => {
      if (this.ended) return;
      this.ended = true;
      const normal = this.lastError === undefined && NORMAL_CLOSE_CODES.has(code);
      handlers.onClose({ code, reason: reason.toString('utf8'), normal, error: this.lastError });
    });
  }

  get isOpen(): boolean {
    return this.socket.readyState === WebSocket.OPEN;
  }

  send(message: string): void {
    if (this.isOpen) this.socket.send(message);
  }

  /** Stops reading from the socket (backpressure from stdout). */
  pause(): void {
    this.socket.pause();
  }

  resume(): void {
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
