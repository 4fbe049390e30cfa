import { Command, Option } from 'commander';
import { runReplay } from '../feed/replay.js';
import { runSession } from '../feed/session.js';
import { createProtocol, DEFAULT_ENDPOINTS } from '../protocol/index.js';
import type { ApiName } from '../protocol/types.js';
import { runWatch, WATCH_CHANNELS, type FeedRunner, type WatchIO } from '../watch/run.js';
import { countOrUnlimited, integerOption, secondsOption, secondsOrNever, urlOption } from './options.js';
import { speedOption } from './replay-command.js';
import type { CliIO } from './stream.js';

interface WatchFlags {
  readonly api: ApiName;
  readonly restUrl: string | undefined;
  readonly wsUrl: string | undefined;
  readonly levels: number | undefined;
  readonly replay: string | undefined;
  readonly speed: number | undefined;
  readonly maxReconnects: number;
  readonly heartbeatTimeout: number;
  readonly dataTimeout: number;
  readonly resyncTimeout: number;
  readonly marketsRefresh: number;
  readonly restTimeout: number;
  readonly restRetries: number;
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
    .addOption(new Option('--api <name>', 'protocol: v3 (the current API) or legacy').choices(['v3', 'legacy']).default('v3'))
    .option('--rest-url <base>', 'REST base URL', urlOption(['http', 'https']))
    .option('--ws-url <url>', 'websocket URL', urlOption(['ws', 'wss']))
    .addOption(new Option('--max-reconnects <n>', 'reconnects allowed after a lost connection').argParser(countOrUnlimited).default(Number.POSITIVE_INFINITY, 'unlimited'))
    .addOption(new Option('--heartbeat-timeout <s>', 'seconds without any frame before the connection is replaced').argParser(secondsOption).default(10_000, '10'))
    .addOption(new Option('--data-timeout <s>', 'seconds without market data before the connection is replaced; 0: never').argParser(secondsOrNever).default(60_000, '60'))
    .addOption(new Option('--resync-timeout <s>', 'seconds a resubscribed book may wait for its snapshot').argParser(secondsOption).default(10_000, '10'))
    .addOption(new Option('--markets-refresh <s>', 'fetch the market list again every s seconds; 0: never').argParser(secondsOrNever).default(60_000, '60'))
    .addOption(new Option('--rest-timeout <s>', 'seconds allowed for each REST request').argParser(secondsOption).default(10_000, '10'))
    .addOption(new Option('--rest-retries <n>', 'retries of the start-up REST request').argParser(integerOption(0, 100)).default(5))
    .addHelpText('after', HELP_AFTER);
  watch.action(async (pair: string, flags: WatchFlags) => {
    const watchIO: WatchIO = {
      stdout: io.stdout as unknown as WatchIO['stdout'],
      stdin: io.stdin,
      stderr: io.stderr,
      env: io.env ?? {},
      now: io.now,
      signal: io.signal,
    };
    setStatus(await runWatch(pair, { api: flags.replay === undefined ? flags.api : 'replay', levels: flags.levels }, feedRunner(pair, flags, io), watchIO));
  });
}

/** The feed under the view: a recording, or the exchange with one pair's book and trades. */
function feedRunner(pair: string, flags: WatchFlags, io: CliIO): FeedRunner {
  const output = { depth: 1, top: false, channels: WATCH_CHANNELS, format: 'text' as const, timestamp: 'none' as const, maxLines: Number.POSITIVE_INFINITY };
  if (flags.replay !== undefined) {
    const file = flags.replay;
    return (view, feedIO) => runReplay({ ...output, file, speed: flags.speed, pairs: [pair], channels: WATCH_CHANNELS, view }, { ...feedIO, now: io.now });
  }
  const endpoints = DEFAULT_ENDPOINTS[flags.api];
  const adapter = createProtocol(flags.api, flags.restUrl ?? endpoints.rest);
  return (view, feedIO) =>
    runSession(
      adapter,
      {
        ...output,
        wsUrl: flags.wsUrl ?? endpoints.ws,
        pairs: [pair],
        maxReconnects: flags.maxReconnects,
        heartbeatTimeoutMs: flags.heartbeatTimeout,
        dataTimeoutMs: flags.dataTimeout,
        resyncTimeoutMs: flags.resyncTimeout,
        marketsRefreshMs: flags.marketsRefresh,
        rest: { timeoutMs: flags.restTimeout, retries: flags.restRetries },
        statsIntervalMs: undefined,
        durationMs: undefined,
        recorder: undefined,
        view,
      },
      { ...feedIO, now: io.now },
    );
}
