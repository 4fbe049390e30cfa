import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { FileError } from '../errors.js';
import { describe } from '../markets/http.js';
import type { ApiName, Channel, MarketMap } from '../protocol/types.js';

/**
 * A recording (--record FILE) is NDJSON, one record per line:
 *   {"type":"start","api":"v3","pairs":["BTC_USDT"],"channels":["ticker","book","trades"]}
 *   {"type":"markets","at":1700000000000,"pairs":[...],"byId":{...},"frozen":[...]}   (start-up and every refresh)
 *   {"type":"markets-failed","at":...}                                              (a refresh that failed)
 *   {"type":"frame","at":1700000000123,"conn":1,"data":"<the frame's text, as received>"}
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
  | { readonly type: 'frame'; readonly at: number; readonly conn: number; readonly data: string };

/** Writes a recording as the stream runs: each record is handed to the OS as it comes. */
export class Recorder {
  private constructor(
    private readonly stream: WriteStream,
    private readonly path: string,
  ) {}

  /** Opens (truncates) the file; throws FileError when it cannot be written. */
  static async open(path: string): Promise<Recorder> {
    const stream = createWriteStream(path, { flags: 'w' });
    try {
      await once(stream, 'open');
    } catch (error) {
      throw new FileError(`cannot write the recording ${path}: ${describe(error)}`, { cause: error });
    }
    const recorder = new Recorder(stream, path);
    stream.on('error', () => undefined);
    return recorder;
  }

  start(api: ApiName, pairs: readonly string[] | undefined, channels: ReadonlySet<Channel>): void {
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

  /** Flushes and closes; throws FileError if anything could not be written. */
  async close(): Promise<void> {
    const closed = once(this.stream, 'close');
    this.stream.end();
    await closed.catch(() => undefined);
    if (this.stream.errored) throw new FileError(`cannot write the recording ${this.path}: ${describe(this.stream.errored)}`);
  }

  private write(record: RecordLine): void {
    this.stream.write(`${JSON.stringify(record)}\n`);
  }
}

/** The market map a markets record describes. */
export function marketsOf(record: Extract<RecordLine, { type: 'markets' }>): MarketMap {
  return { pairs: record.pairs, byId: new Map(Object.entries(record.byId)), frozen: new Set(record.frozen) };
}
