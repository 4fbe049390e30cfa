import type { Publishing } from '../bus/publishing.js';
import { ExitStatus } from '../errors.js';
import type { Chain } from './chain.js';
import type { Recorder } from './recording.js';
import { formatTotals, type StatsReporter, type Totals } from './stats.js';
import type { Subscriber } from './subscriber.js';

/** What a live run has to finish and count, as it stands. */
export interface RunParts {
  readonly chain: Chain;
  readonly subscriber: Subscriber;
  readonly recorder: Recorder | undefined;
  readonly publishing: Publishing | undefined;
  readonly stats: StatsReporter | undefined;
  /** Reconnects made so far. */
  readonly reconnects: number;
}

/** The run's totals so far, for --stats and the summary a signal prints. */
export function runTotals(run: RunParts): Totals {
  const { pipeline, processor, sink } = run.chain;
  return {
    frames: pipeline.counts.frames,
    lines: sink.lines,
    gaps: processor.counts.gaps,
    resyncs: processor.counts.resyncs,
    reconnects: run.reconnects,
    badFrames: pipeline.counts.badFrames,
    livePairs: processor.liveCount(),
    resyncTimeouts: run.subscriber.resyncTimeouts,
  };
}

/**
 * Ends a run that stopped with `status`: stdout flushed, the recording closed, what --publish
 * holds confirmed, held diagnostics out, and a summary after a signal. Resolves to the exit status.
 */
export async function finishRun(run: RunParts, status: number): Promise<number> {
  const { sink, diagnostics } = run.chain;
  await sink.flush();
  const recorded = (await run.recorder?.close()) ?? true;
  const unpublished = await run.publishing?.finish();
  if (unpublished !== undefined) diagnostics.error(unpublished);
  diagnostics.flushHeld();
  run.stats?.stop();
  if (status === ExitStatus.SIGINT || status === ExitStatus.SIGTERM) {
    diagnostics.info(`stopped by ${status === ExitStatus.SIGINT ? 'SIGINT' : 'SIGTERM'}: ${formatTotals(runTotals(run))}`);
  }
  // A recording or stream that lost data is exit 6 or 7 however the run ended (but 1, a bug or a failed stdout): its error line is out already.
  if (status === ExitStatus.INTERNAL) return status;
  if (!recorded) return ExitStatus.FILE;
  return unpublished === undefined ? status : ExitStatus.NATS;
}
