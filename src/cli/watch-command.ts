import { Command, Option } from 'commander';
import { runSession } from '../feed/session.js';
import { createProtocol, DEFAULT_ENDPOINTS } from '../protocol/index.js';
import type { Channel } from '../protocol/types.js';
import type { FeedRunner, WatchIO } from '../watch/run.js';
import { integerOption } from './options.js';
import { speedOption } from './replay-command.js';
import { addConnectionOptions, addEndpointOptions, connectionSettings, type CliIO, type SourceFlags } from './stream.js';

interface WatchFlags extends SourceFlags {
  readonly levels: number | undefined;
  readonly replay: string | undefined;
  readonly speed: number | undefined;
}

const HELP_AFTER = `
The ladder: asks above and bids below the spread, best in the middle; price, size, cumulative
size and a depth bar per level; mid and spread on top; the last trades beside it (or below, in a
narrow terminal); a status line (book live / resyncing / stale, connection, gaps, reconnects,
frames/s). Levels whose size just changed are highlighted. The book is the stream's own, from the
same sequence-checking processor: a book in resync is marked, never drawn as live. At most 10
redraws a second. Colour unless NO_COLOR is set or TERM=dumb.

Keys: q quits (exit 0), Ctrl-C too (exit 130). The terminal is restored on every way out.
stdout must be a terminal: to stream lines, run polo-ws --pairs PAIR.

Examples:
  $ polo-ws watch BTC_USDT
  $ polo-ws watch ETH_USDT --levels 10
  $ polo-ws watch BTC_USDT --replay session.ndjson --speed 5
  $ polo-ws watch SYM --rest-url http://127.0.0.1:8080 --ws-url ws://127.0.0.1:8080/ws/public`;

/** Adds `watch PAIR`: a live order-book ladder in the terminal. */
export function addWatchCommand(program: Command, io: CliIO, setStatus: (status: number) => void): void {
  const watch = program
    .command('watch')
    .argument('<pair>', 'the pair to show (as the market list names it, e.g. BTC_USDT)')
    .description('Show one pair\'s order book as a live ladder in the terminal, with its trades.')
    .addOption(new Option('--levels <n>', 'levels a side at most (default: as many as fit)').argParser(integerOption(1, 1000)))
    .option('--replay <file>', 'show a recording made with --record instead of the exchange')
    .addOption(new Option('--speed <x>', 'with --replay: x times the recorded pace').argParser(speedOption).default(1))
    .addHelpText('after', HELP_AFTER);
  addConnectionOptions(addEndpointOptions(watch));
  watch.action(async (pair: string, flags: WatchFlags) => {
    // The view (and a replay) are loaded only by the runs that watch.
    const { runWatch, WATCH_CHANNELS } = await import('../watch/run.js');
    const watchIO: WatchIO = {
      stdout: io.stdout as unknown as WatchIO['stdout'],
      stdin: io.stdin,
      stderr: io.stderr,
      env: io.env ?? {},
      now: io.now,
      signal: io.signal,
    };
    const feed = await feedRunner(pair, WATCH_CHANNELS, flags, io);
    setStatus(await runWatch(pair, { api: flags.replay === undefined ? flags.api : 'replay', levels: flags.levels }, feed, watchIO));
  });
}

/** The feed under the view: a recording, or the exchange with one pair's book and trades. */
async function feedRunner(pair: string, channels: ReadonlySet<Channel>, flags: WatchFlags, io: CliIO): Promise<FeedRunner> {
  const output = { depth: 1, top: false, channels, format: 'text' as const, timestamp: 'none' as const, maxLines: Number.POSITIVE_INFINITY };
  if (flags.replay !== undefined) {
    const { runReplay } = await import('../feed/replay.js');
    const file = flags.replay;
    return (view, feedIO) => runReplay({ ...output, file, speed: flags.speed, pairs: [pair], channels, view }, { ...feedIO, now: io.now });
  }
  const adapter = createProtocol(flags.api, flags.restUrl ?? DEFAULT_ENDPOINTS[flags.api].rest);
  return (view, feedIO) =>
    runSession(
      adapter,
      {
        ...output,
        ...connectionSettings(flags),
        pairs: [pair],
        statsIntervalMs: undefined,
        durationMs: undefined,
        recorder: undefined,
        view,
      },
      { ...feedIO, now: io.now },
    );
}
