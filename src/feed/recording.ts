import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import * as z from 'zod';
import { FileError } from '../errors.js';
import { SYMBOL_TEXT, isRecord } from '../protocol/guards.js';
import type { ApiName, Channel, MarketMap } from '../protocol/types.js';
import { describe, zodIssue } from '../printable.js';

/**
 * A recording (--record FILE) is NDJSON, one record per line:
 *   {"type":"start","api":"v3","pairs":["BTC_USDT"],"channels":["ticker","book","trades"]}
 *   {"type":"markets","at":1700000000000,"pairs":[...],"byId":{...},"frozen":[...]}   (start-up and every refresh)
 *   {"type":"markets-failed","at":...}                                              (a refresh that failed)
 *   {"type":"frame","at":1700000000123,"conn":1,"data":"<the frame's text, as received>"}
 *   {"type":"disconnect","at":1700000000456,"conn":1}                             (that connection ended)
 * `pairs` in start is the --pairs selection (null: every pair); `at` is the receive time in epoch ms.
 */
export type RecordLine =
  | { readonly type: 'start'; readonly api: ApiName; readonly pairs: readonly string[] | null; readonly channels: readonly Channel[] }
  | {
      readonly type: 'markets';
      readonly at: number;
      readonly pairs: readonly string[];
      readonly byId: Readonly<Record<string, string>>;
      readonly frozen: readonly string[];
    }
  | { readonly type: 'markets-failed'; readonly at: number }
  | { readonly type: 'frame'; readonly at: number; readonly conn: number; readonly data: string }
  | { readonly type: 'disconnect'; readonly at: number; readonly conn: number };

/** What a Recorder tells the run it records. */
export interface RecorderHooks {
  /** The file could not be written (disk full, I/O error): called once; nothing more is recorded. */
  readonly onFailed: (error: FileError) => void;
  /** The file's write buffer is full (true) or drained (false): hold the feed meanwhile, as for stdout. */
  readonly onFull: (full: boolean) => void;
}

/** Where a Recorder is: the file is created only by start(), and any failure is final. */
type RecorderState = 'waiting' | 'recording' | 'closing' | 'closed' | 'failed';

/**
 * Buffered before the feed is held: enough to ride out a slow disk's hiccup without pausing the
 * socket for every frame, small enough that a stalled disk costs little memory.
 */
const WRITE_BUFFER_BYTES = 1024 * 1024;

/** Writes a recording as the stream runs: every write is checked, and a slow disk holds the feed. */
export class Recorder {
  private state: RecorderState = 'waiting';
  private stream: WriteStream | undefined;
  private hooks: RecorderHooks | undefined;
  private full = false;

  constructor(readonly path: string) {}

  /**
   * Creates (or truncates) the file and writes the start record: called once the market list is in
   * and the run starts, so a run that fails before leaves an existing file untouched. Throws
   * FileError when the file cannot be opened.
   */
  async start(api: ApiName, pairs: readonly string[] | undefined, channels: ReadonlySet<Channel>, hooks: RecorderHooks): Promise<void> {
    const stream = createWriteStream(this.path, { flags: 'w', highWaterMark: WRITE_BUFFER_BYTES });
    try {
      await once(stream, 'open');
    } catch (error) {
      this.state = 'failed';
      throw this.error(error);
    }
    stream.on('error', (error) => this.fail(error));
    stream.on('drain', () => this.setFull(false));
    this.stream = stream;
    this.hooks = hooks;
    this.state = 'recording';
    this.write({ type: 'start', api, pairs: pairs === undefined ? null : [...pairs], channels: [...channels] });
  }

  markets(at: number, markets: MarketMap): void {
    this.write({ type: 'markets', at, pairs: markets.pairs, byId: Object.fromEntries(markets.byId), frozen: [...markets.frozen] });
  }

  marketsFailed(at: number): void {
    this.write({ type: 'markets-failed', at });
  }

  frame(at: number, conn: number, data: string): void {
    this.write({ type: 'frame', at, conn, data });
  }

  /** Connection `conn` ended: a replay untrusts every book here, as the live run did. */
  disconnect(at: number, conn: number): void {
    this.write({ type: 'disconnect', at, conn });
  }

  /**
   * Flushes and closes the file. Resolves false when the recording lost data (the failure was
   * reported through onFailed, during the run or in this last flush), true otherwise.
   */
  async close(): Promise<boolean> {
    const stream = this.stream;
    if (this.state !== 'recording' || stream === undefined) return this.state !== 'failed';
    this.state = 'closing';
    stream.end();
    // finished() also settles for a stream that has already errored or closed, unlike once('close').
    await finished(stream).catch(() => undefined);
    if (this.state === 'closing') this.state = 'closed';
    return this.state === 'closed';
  }

  private write(record: RecordLine): void {
    if (this.state !== 'recording' || this.stream === undefined) return;
    if (!this.stream.write(`${JSON.stringify(record)}\n`)) this.setFull(true);
  }

  private setFull(full: boolean): void {
    if (full === this.full) return;
    this.full = full;
    this.hooks?.onFull(full);
  }

  private fail(error: unknown): void {
    if (this.state !== 'recording' && this.state !== 'closing') return;
    this.state = 'failed';
    // The run is stopping: the feed need not wait for a file that will take nothing more.
    this.setFull(false);
    this.hooks?.onFailed(this.error(error));
  }

  private error(cause: unknown): FileError {
    return new FileError(`cannot write the recording ${this.path}: ${describe(cause)}`, { cause });
  }
}

/** The market map a markets record describes. */
export function marketsOf(record: Extract<RecordLine, { type: 'markets' }>): MarketMap {
  return { pairs: record.pairs, byId: new Map(Object.entries(record.byId)), frozen: new Set(record.frozen) };
}

/** The latest time a record may carry: the end of year 9999, so a text timestamp keeps its shape. */
const MAX_TIME_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

const time = z
  .number({ error: 'expected a time (ms since 1970)' })
  .int({ error: 'expected a time in whole ms since 1970' })
  .min(0, { error: 'expected a time after 1970' })
  .max(MAX_TIME_MS, { error: 'expected a time before year 10000' });
/** Pair names are printed in lines: only plain names, as the live market list takes them. */
const pairName = z.string().regex(SYMBOL_TEXT, { error: 'expected a pair name (letters, digits, _ . -)' });

/** One schema per record type: a bad line is reported by type and field, not as "invalid union". */
const RECORD_SCHEMAS = {
  start: z.object({
    type: z.literal('start'),
    api: z.enum(['v3', 'legacy'], { error: 'expected "v3" or "legacy"' }),
    pairs: z.array(z.string().min(1), { error: 'expected a list of pair names or null' }).nullable(),
    channels: z.array(z.enum(['ticker', 'book', 'trades'], { error: 'expected ticker, book or trades' }), { error: 'expected a list of one or more channels' }).min(1),
  }),
  markets: z.object({
    type: z.literal('markets'),
    at: time,
    pairs: z.array(pairName, { error: 'expected a list of pair names' }),
    byId: z.record(z.string(), pairName, { error: 'expected an object of id -> pair name' }),
    frozen: z.array(pairName, { error: 'expected a list of pair names' }),
  }),
  'markets-failed': z.object({ type: z.literal('markets-failed'), at: time }),
  frame: z.object({
    type: z.literal('frame'),
    at: time,
    conn: z.number({ error: 'expected a connection number' }).int().positive().max(Number.MAX_SAFE_INTEGER),
    data: z.string({ error: "expected the frame's text (a string)" }),
  }),
  disconnect: z.object({
    type: z.literal('disconnect'),
    at: time,
    conn: z.number({ error: 'expected a connection number' }).int().positive().max(Number.MAX_SAFE_INTEGER),
  }),
} as const;

/**
 * The frame schema's checks by hand: frames are nearly every line, and zod's object parse was most
 * of the cost of checking them. A frame that fails here goes through zod for the reason.
 */
function isFrame(value: Record<string, unknown>): value is { at: number; conn: number; data: string } {
  const { at, conn, data } = value;
  return typeof data === 'string' && isTime(at) && Number.isSafeInteger(conn) && (conn as number) > 0;
}

function isTime(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0 && (value as number) <= MAX_TIME_MS;
}

/**
 * A recording line checked: the record, or why it is not one (one line of text); `json` tells a
 * line that is not JSON at all (as a line cut short is) from JSON of the wrong shape.
 */
export type ParsedRecord =
  | { readonly ok: true; readonly record: RecordLine }
  | { readonly ok: false; readonly json: boolean; readonly reason: string };

/** Validates one line of a recording: JSON of one of the record shapes, every field checked. */
export function parseRecord(text: string): ParsedRecord {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, json: false, reason: 'not a recording line (not JSON)' };
  }
  if (!isRecord(value) || typeof value.type !== 'string') return { ok: false, json: true, reason: 'not a recording line (no "type")' };
  const type = value.type;
  if (type === 'frame' && isFrame(value)) return { ok: true, record: { type, at: value.at, conn: value.conn, data: value.data } };
  if (!Object.hasOwn(RECORD_SCHEMAS, type)) return { ok: false, json: true, reason: `unknown record type ${JSON.stringify(type.slice(0, 40))}` };
  const parsed = RECORD_SCHEMAS[type as keyof typeof RECORD_SCHEMAS].safeParse(value);
  if (!parsed.success) return { ok: false, json: true, reason: `bad ${type} record: ${zodIssue(parsed.error)}` };
  return { ok: true, record: parsed.data };
}
