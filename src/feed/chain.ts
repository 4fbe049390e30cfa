import type { Writable } from 'node:stream';
import { BookProcessor, type AppliedTap } from '../book/processor.js';
import { Diagnostics } from '../output/diagnostics.js';
import { createPrinter } from '../output/format.js';
import { LineSink } from '../output/sink.js';
import type { LinePrinter } from '../output/lines.js';
import type { TimestampMode } from '../output/timestamp.js';
import type { Channel, ProtocolAdapter } from '../protocol/types.js';
import type { Confirmations } from './event-printer.js';
import { Pipeline } from './pipeline.js';
import { describe } from '../printable.js';

/** What the user chose to see: shared by live streams and replays. */
export interface OutputOptions {
  /** Levels per side printed for each snapshot. */
  readonly depth: number;
  /** Print a TOP line when a pair's best bid or ask changes. */
  readonly top: boolean;
  /** What to subscribe and print. */
  readonly channels: ReadonlySet<Channel>;
  /** text (the reference script's lines) or json (NDJSON). */
  readonly format: 'text' | 'json';
  /** How text lines are stamped. */
  readonly timestamp: TimestampMode;
  /** Stop with status 0 after this many lines (Infinity: no limit). */
  readonly maxLines: number;
}

export interface ChainHooks {
  /** stdout is full: stop reading input. */
  readonly onBlocked: () => void;
  readonly onDrained: () => void;
  /** Output is over: the reader left (status 0), stdout failed (status 1), or --max-lines was reached (0). */
  readonly onEnd: (status: number) => void;
  readonly refreshMarkets: () => Promise<boolean>;
  /** Frames held for a refresh filled their bound: stop reading input (true) until handled (false). */
  readonly onHolding?: (full: boolean) => void;
  readonly resync: (pair: string) => void;
  /** Told of acks, server errors and first data, to confirm subscriptions (live streams). */
  readonly confirmations?: Confirmations;
  /** Told of every event applied, with each frame's receive time first (--publish). */
  readonly publisher?: (AppliedTap & { begin(at: number): void }) | undefined;
  /** A consumer of redundant publishers skips snapshots older than its live book (`subscribe`). */
  readonly skipOlderSnapshots?: boolean;
  /** What a gap makes happen, for its warning: "resubscribing PAIR" by default. */
  readonly gapAction?: (pair: string) => string;
  /** Told of what to print in place of the line printer (`watch`'s view). */
  readonly printer?: LinePrinter | undefined;
}

/** The frame-to-line half of polo-ws: decoder, sequence-checked books, formatter, stdout. */
export interface Chain {
  readonly diagnostics: Diagnostics;
  readonly processor: BookProcessor;
  readonly sink: LineSink;
  readonly pipeline: Pipeline;
}

/** Builds the output stack for one run, live or replayed. */
export function createChain(
  adapter: ProtocolAdapter,
  options: OutputOptions,
  io: { readonly stdout: Writable; readonly stderr: (text: string) => void; readonly now: () => number },
  hooks: ChainHooks,
): Chain {
  const diagnostics = new Diagnostics(io.stderr, io.now);
  const processor = new BookProcessor({ depth: options.depth, top: options.top, tap: hooks.publisher, skipOlderSnapshots: hooks.skipOlderSnapshots });
  const sinkHooks = {
    onBlocked: hooks.onBlocked,
    onDrained: hooks.onDrained,
    onClosed: (error: Error | undefined) => {
      if (error !== undefined) diagnostics.error(`cannot write to stdout: ${describe(error)}`);
      hooks.onEnd(error === undefined ? 0 : 1);
    },
    onLimit: () => hooks.onEnd(0),
  };
  const sink = new LineSink(io.stdout, sinkHooks, options.maxLines);
  const pipeline = new Pipeline({
    adapter,
    processor,
    sink,
    diagnostics,
    printer: hooks.printer ?? createPrinter(options.format, options.timestamp, options.channels, sink.buffer),
    refreshMarkets: hooks.refreshMarkets,
    onHolding: hooks.onHolding,
    resync: hooks.resync,
    confirmations: hooks.confirmations,
    publisher: hooks.publisher,
    gapAction: hooks.gapAction,
  });
  return { diagnostics, processor, sink, pipeline };
}
