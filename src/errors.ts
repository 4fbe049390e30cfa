/**
 * One error base class with a stable `code` and the process exit status it maps to,
 * in the manner of undici's `lib/core/errors.js`: tests assert `code`, the README lists both.
 */

/** Exit statuses polo-ws documents. Scripts depend on these: keep them stable. */
export const ExitStatus = {
  OK: 0,
  INTERNAL: 1,
  USAGE: 2,
  REST: 3,
  BAD_MARKETS: 4,
  WEBSOCKET: 5,
  FILE: 6,
  NATS: 7,
  SIGINT: 130,
  SIGTERM: 143,
} as const;

export type ErrorCode =
  | 'POLO_ERR_USAGE'
  | 'POLO_ERR_HTTP'
  | 'POLO_ERR_HTTP_STATUS'
  | 'POLO_ERR_BAD_MARKETS'
  | 'POLO_ERR_WS'
  | 'POLO_ERR_FILE'
  | 'POLO_ERR_NATS';

/** Base class of every error polo-ws expects and reports as one stderr line; one subclass per code family, each with its own name. */
export class PoloError extends Error {
  readonly code: ErrorCode;
  readonly exitStatus: number;

  constructor(code: ErrorCode, message: string, exitStatus: number, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PoloError';
    this.code = code;
    this.exitStatus = exitStatus;
  }
}

/** A bad command line: unknown option, bad value. */
export class UsageError extends PoloError {
  constructor(message: string) {
    super('POLO_ERR_USAGE', message, ExitStatus.USAGE);
    this.name = 'UsageError';
  }
}

/** The REST request could not be made or answered (network, timeout, HTTP status). */
export class HttpError extends PoloError {
  readonly url: string;
  readonly status: number | undefined;
  /** How long the server asked us to wait (Retry-After), if it did. */
  readonly retryAfterMs: number | undefined;
  /** What went wrong, in a few words ("HTTP 502", "no answer within 10 s"): for the retry warning. */
  readonly reason: string;

  constructor(url: string, message: string, status?: number, options?: { cause?: unknown; retryAfterMs?: number | undefined; reason?: string }) {
    super(status === undefined ? 'POLO_ERR_HTTP' : 'POLO_ERR_HTTP_STATUS', message, ExitStatus.REST, options);
    this.name = 'HttpError';
    this.url = url;
    this.status = status;
    this.retryAfterMs = options?.retryAfterMs;
    this.reason = options?.reason ?? (status === undefined ? 'network error' : `HTTP ${status}`);
  }
}

/** The REST answer arrived but is not a market list polo-ws can use. */
export class BadMarketsError extends PoloError {
  readonly url: string;

  constructor(url: string, message: string) {
    super('POLO_ERR_BAD_MARKETS', message, ExitStatus.BAD_MARKETS);
    this.name = 'BadMarketsError';
    this.url = url;
  }
}

/** The websocket could not be opened, or was lost, and no reconnect is left. */
export class WebSocketError extends PoloError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('POLO_ERR_WS', message, ExitStatus.WEBSOCKET, options);
    this.name = 'WebSocketError';
  }
}

/** A file polo-ws was told to read or write (--record, replay) could not be used. */
export class FileError extends PoloError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('POLO_ERR_FILE', message, ExitStatus.FILE, options);
    this.name = 'FileError';
  }
}

/** NATS could not be reached, its stream is not one polo-ws can use, or events could not be stored. */
export class NatsError extends PoloError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('POLO_ERR_NATS', message, ExitStatus.NATS, options);
    this.name = 'NatsError';
  }
}
