import { createReadStream } from 'node:fs';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Writable } from 'node:stream';
import { ExitStatus, FileError } from '../errors.js';
import { describe } from '../markets/http.js';
import { createProtocol } from '../protocol/index.js';
import type { Channel } from '../protocol/types.js';
import { createOutput, type Output, type OutputOptions } from './output.js';
import { selectPairs } from './pairs.js';
import { marketsOf, type RecordLine } from './recording.js';

export interface ReplayOptions extends Omit<OutputOptions, 'channels'> {
  readonly file: string;
  /** Play at this multiple of the recorded pace; undefined: as fast as possible. */
  readonly speed: number | undefined;
  /** --pairs and --channels; undefined: as the recording was made. */
  readonly pairs: readonly string[] | undefined;
  readonly channels: ReadonlySet<Channel> | undefined;
}

export interface ReplayIO {
  readonly stdout: Writable;
  readonly stderr: (text: string) => void;
  readonly now: () => number;
  readonly signal: AbortSignal;
}

/**
 * Runs a recording through the same pipeline as a live stream: the same lines, byte for byte,
 * timestamps from the recording. Resolves to the exit status.
 */
export async function runReplay(options: ReplayOptions, io: ReplayIO): Promise<number> {
  const input = createReadStream(options.file, { encoding: 'utf8' });
  try {
    await once(input, 'open');
  } catch (error) {
    throw new FileError(`cannot read the recording ${options.file}: ${describe(error)}`, { cause: error });
  }
  const lines = createInterface({ input, crlfDelay: Infinity });
  const replay = new Replay(options, io);
  try {
    for await (const line of lines) {
      if (replay.stopped) break;
      await replay.take(line);
    }
    return await replay.end();
  } finally {
    lines.close();
    input.destroy();
  }
}

class Replay {
  private output: Output | undefined;
  private pairsWanted: readonly string[] | undefined;
  private stopStatus: number | undefined;
  private drained: Promise<void> | undefined;
  private release: (() => void) | undefined;
  private pendingRefresh: ((ok: boolean) => void) | undefined;
  private lastConn: number | undefined;
  private lastAt: number | undefined;
  private lineNumber = 0;

  constructor(
    private readonly options: ReplayOptions,
    private readonly io: ReplayIO,
  ) {
    io.signal.addEventListener('abort', () => this.stop(typeof io.signal.reason === 'number' ? io.signal.reason : ExitStatus.SIGINT), { once: true });
  }

  get stopped(): boolean {
    return this.stopStatus !== undefined;
  }

  /** Handles one line of the recording. */
  async take(text: string): Promise<void> {
    this.lineNumber++;
    if (text.trim() === '') return;
    const record = this.parse(text);
    if (record.type === 'start') this.begin(record);
    else if (record.type === 'markets') this.markets(record);
    else if (record.type === 'markets-failed') this.settleRefresh(false);
    else await this.frame(record);
  }

  /** After the last line: every frame printed, output flushed. */
  async end(): Promise<number> {
    this.settleRefresh(false);
    if (this.output === undefined && this.stopStatus === undefined) throw this.bad('the recording has no start record');
    await this.output?.pipeline.idle();
    await this.output?.sink.flush();
    this.output?.diagnostics.flushHeld();
    return this.stopStatus ?? ExitStatus.OK;
  }

  private begin(record: Extract<RecordLine, { type: 'start' }>): void {
    if (this.output !== undefined) throw this.bad('a second start record');
    const adapter = createProtocol(record.api, 'http://replay.invalid');
    const channels = this.options.channels ?? new Set(record.channels);
    this.output = createOutput(adapter, { ...this.options, channels }, this.io, {
      onBlocked: () => this.block(),
      onDrained: () => this.release?.(),
      onEnd: (status) => this.stop(status),
      refreshMarkets: () => new Promise((resolve) => (this.pendingRefresh = resolve)),
      resync: () => undefined,
    });
    this.pairsWanted = this.options.pairs ?? record.pairs ?? undefined;
  }

  private markets(record: Extract<RecordLine, { type: 'markets' }>): void {
    const output = this.require();
    const markets = marketsOf(record);
    // A --pairs name the recording's first list lacks is the same usage error as live.
    if (this.lastAt === undefined && this.pairsWanted !== undefined) selectPairs(markets, this.pairsWanted);
    // Every list, as live: new listings print, delisted pairs stop.
    output.pipeline.updateMarkets(markets, this.pairsWanted);
    this.settleRefresh(true);
  }

  private async frame(record: Extract<RecordLine, { type: 'frame' }>): Promise<void> {
    const output = this.require();
    // A new connection in the recording was a reconnect: books start again from snapshots.
    if (this.lastConn !== undefined && record.conn !== this.lastConn) output.processor.resetAll();
    if (this.options.speed !== undefined && this.lastAt !== undefined && record.at > this.lastAt) {
      await sleep((record.at - this.lastAt) / this.options.speed);
    }
    this.lastConn = record.conn;
    this.lastAt = record.at;
    output.pipeline.receive(record.data, record.at);
    if (this.drained !== undefined) await this.drained;
  }

  private settleRefresh(ok: boolean): void {
    const settle = this.pendingRefresh;
    this.pendingRefresh = undefined;
    settle?.(ok);
  }

  private block(): void {
    this.drained = new Promise((resolve) => {
      this.release = () => {
        this.drained = undefined;
        resolve();
      };
    });
  }

  private stop(status: number): void {
    this.stopStatus ??= status;
    this.release?.();
  }

  private require(): Output {
    if (this.output === undefined) throw this.bad('a record before the start record');
    return this.output;
  }

  private parse(text: string): RecordLine {
    try {
      const record = JSON.parse(text) as RecordLine;
      if (typeof record === 'object' && record !== null && typeof record.type === 'string') return record;
    } catch {
      // reported below
    }
    throw this.bad('not a recording line');
  }

  private bad(what: string): FileError {
    return new FileError(`${this.options.file}:${this.lineNumber}: ${what}; is it a polo-ws --record file?`);
  }
}
