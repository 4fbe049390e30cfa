import { setTimeout as sleep } from 'node:timers/promises';
import type { Writable } from 'node:stream';
import { ExitStatus, FileError } from '../errors.js';
import { createProtocol } from '../protocol/index.js';
import type { Channel } from '../protocol/types.js';
import { MAX_FRAME_BYTES } from './connection.js';
import { createChain, type Chain, type OutputOptions } from './chain.js';
import type { FeedView } from './feed-view.js';
import { MAX_HELD_BYTES } from './pipeline.js';
import { selectPairs } from './pairs.js';
import { readLines, type FileLine } from './record-lines.js';
import { marketsOf, parseRecord, type RecordLine } from './recording.js';
import { formatTotals } from './stats.js';

/** Frames a replay holds for a market refresh: the live bound, a frame in flight at the pause, and room. */
const REPLAY_HELD_LIMIT = 2 * MAX_HELD_BYTES + MAX_FRAME_BYTES;

export interface ReplayOptions extends Omit<OutputOptions, 'channels'> {
  readonly file: string;
  /** Play at this multiple of the recorded pace; undefined: as fast as possible. */
  readonly speed: number | undefined;
  /** --pairs and --channels; undefined: as the recording was made. */
  readonly pairs: readonly string[] | undefined;
  readonly channels: ReadonlySet<Channel> | undefined;
  /** A view drawn in place of the lines (`watch --replay`), if any. */
  readonly view?: FeedView | undefined;
}

export interface ReplayIO {
  readonly stdout: Writable;
  readonly stderr: (text: string) => void;
  readonly now: () => number;
  readonly signal: AbortSignal;
}

/** The longest single timer: setTimeout fires at once for more than 2^31-1 ms. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Runs a recording through the same pipeline as a live stream: the same lines, byte for byte,
 * timestamps from the recording. Resolves to the exit status; throws FileError for a file that
 * cannot be read or a line that is not a record ("FILE:LINE: reason").
 */
export async function runReplay(options: ReplayOptions, io: ReplayIO): Promise<number> {
  const replay = new Replay(options, io);
  try {
    for await (const line of readLines(options.file, io.signal)) {
      if (replay.stopped) break;
      await replay.take(line);
    }
    return await replay.end();
  } finally {
    replay.dispose();
  }
}

class Replay {
  private output: Chain | undefined;
  private pairsWanted: readonly string[] | undefined;
  private stopStatus: number | undefined;
  private drained: Promise<void> | undefined;
  private release: (() => void) | undefined;
  private pendingRefresh: ((ok: boolean) => void) | undefined;
  private lastConn: number | undefined;
  /** A disconnect record has ended lastConn: the next connection needs no inferred one. */
  private disconnected = false;
  private lastAt: number | undefined;
  private reconnects = 0;
  private lineNumber = 0;

  constructor(
    private readonly options: ReplayOptions,
    private readonly io: ReplayIO,
  ) {
    io.signal.addEventListener('abort', this.onSignal, { once: true });
  }

  get stopped(): boolean {
    return this.stopStatus !== undefined;
  }

  /** Handles one line of the recording. */
  async take(line: FileLine): Promise<void> {
    this.lineNumber = line.number;
    if (line.text.trim() === '') return;
    const parsed = parseRecord(line.text);
    if (!parsed.ok) {
      // Once a start record has shown this is a recording, a last line cut short is what a crash leaves: the rest stands.
      if (line.unterminated && !parsed.json && this.output !== undefined) return this.cutShort();
      throw this.bad(parsed.reason);
    }
    const record = parsed.record;
    if (record.type === 'start') this.begin(record);
    else if (record.type === 'markets') this.markets(record);
    else if (record.type === 'markets-failed') this.settleRefresh(false);
    else if (record.type === 'disconnect') this.disconnect(record.at);
    else await this.frame(record);
  }

  /** After the last line (or a signal): every frame taken printed, output flushed, the summary if stopped by a signal. */
  async end(): Promise<number> {
    this.settleRefresh(false);
    if (this.output === undefined && this.stopStatus === undefined) throw this.bad('the recording has no start record');
    await this.output?.pipeline.idle();
    await this.output?.sink.flush();
    this.output?.diagnostics.flushHeld();
    const status = this.stopStatus ?? ExitStatus.OK;
    if (status === ExitStatus.SIGINT || status === ExitStatus.SIGTERM) this.summary(status);
    return status;
  }

  dispose(): void {
    this.io.signal.removeEventListener('abort', this.onSignal);
    this.output?.sink.detach();
  }

  private begin(record: Extract<RecordLine, { type: 'start' }>): void {
    if (this.output !== undefined) throw this.bad('a second start record');
    const adapter = createProtocol(record.api, 'http://replay.invalid');
    const channels = this.options.channels ?? new Set(record.channels);
    this.output = createChain(adapter, { ...this.options, channels }, this.io, {
      onBlocked: () => this.block(),
      onDrained: () => this.release?.(),
      onEnd: (status) => this.stop(status),
      refreshMarkets: () => new Promise((resolve) => (this.pendingRefresh = resolve)),
      resync: () => undefined,
      printer: this.options.view?.printer,
    });
    const output = this.output;
    this.options.view?.attach({
      processor: output.processor,
      status: () => ({ connection: this.stopStatus === undefined ? 'replaying' : 'ended', reconnects: this.reconnects, frames: output.pipeline.counts.frames, lastFrameAt: this.lastAt }),
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
    if (this.lastConn !== undefined && record.conn !== this.lastConn) {
      // Recordings made before disconnect records show a reconnect only by the new number.
      if (!this.disconnected) output.pipeline.disconnect(record.at);
      this.reconnects++;
    }
    this.disconnected = false;
    if (this.options.speed !== undefined && this.lastAt !== undefined && record.at > this.lastAt) {
      await this.pace((record.at - this.lastAt) / this.options.speed);
      if (this.stopped) return;
    }
    this.lastConn = record.conn;
    this.lastAt = record.at;
    output.pipeline.receive(record.data, record.at);
    // Live, input pauses once MAX_HELD_BYTES wait for a refresh, so its markets record follows soon:
    // a recording that holds far more is not one polo-ws wrote, and would only grow memory.
    if (output.pipeline.heldBytes > REPLAY_HELD_LIMIT) throw this.bad(`over ${REPLAY_HELD_LIMIT / 2 ** 20} MiB of frames wait for a markets record that a live run would have written`);
    if (this.drained !== undefined) await this.drained;
  }

  /** The recorded connection ended: the same input the live run gave its pipeline. */
  private disconnect(at: number): void {
    this.require().pipeline.disconnect(at);
    this.disconnected = true;
  }

  /** Waits `ms` (--speed), in timer-sized steps; a signal ends the wait at once. */
  private async pace(ms: number): Promise<void> {
    for (let left = ms; left > 0 && !this.stopped; left -= MAX_TIMER_MS) {
      await sleep(Math.min(left, MAX_TIMER_MS), undefined, { signal: this.io.signal }).catch(() => undefined);
    }
  }

  /** The last line has no newline and is not JSON: a recording cut short (a crash, a full disk). */
  private cutShort(): void {
    this.output?.diagnostics.warn(
      'recording',
      `${this.options.file}:${this.lineNumber}: the last line is cut short (no newline, not JSON), as a crash or a full disk leaves it; replayed up to line ${this.lineNumber - 1}`,
    );
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

  private readonly onSignal = (): void => {
    const status = this.io.signal.reason;
    this.stop(typeof status === 'number' ? status : ExitStatus.SIGINT);
  };

  /** "stopped by SIGINT: 1204 frames, ...", as a live run ends on a signal. */
  private summary(status: number): void {
    const output = this.output;
    if (output === undefined) return;
    const { pipeline, processor, sink, diagnostics } = output;
    const totals = formatTotals({
      frames: pipeline.counts.frames,
      lines: sink.lines,
      gaps: processor.counts.gaps,
      resyncs: processor.counts.resyncs,
      reconnects: this.reconnects,
      badFrames: pipeline.counts.badFrames,
      livePairs: processor.liveCount(),
      resyncTimeouts: 0,
    });
    diagnostics.info(`stopped by ${status === ExitStatus.SIGINT ? 'SIGINT' : 'SIGTERM'}: ${totals}`);
  }

  private require(): Chain {
    if (this.output === undefined) throw this.bad('a record before the start record');
    return this.output;
  }

  /** "FILE:LINE: reason", with a hint while no start record has shown the file is a recording. */
  private bad(reason: string): FileError {
    const hint = this.output === undefined ? '; is it a polo-ws --record file?' : '';
    return new FileError(`${this.options.file}:${this.lineNumber}: ${reason}${hint}`);
  }
}
