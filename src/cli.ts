import { createRequire } from 'node:module';
import { Command, CommanderError } from 'commander';
import { addReplayCommand } from './cli/replay-command.js';
import { addSimulatorCommands } from './cli/sim-commands.js';
import { addStreamOptions, stream, type CliIO, type StreamFlags } from './cli/stream.js';
import { addSubscribeCommand } from './cli/subscribe-command.js';
import { addWatchCommand } from './cli/watch-command.js';

export type { CliIO };

/**
 * polo-ws's own version, from its package.json (one level up from src/ and dist/ alike). Not
 * npm_package_version: that is whichever package's npm script happens to run polo-ws.
 */
const VERSION = (createRequire(import.meta.url)('../package.json') as { version: string }).version;

const EXAMPLES = `
Output (stdout), one event per line, after a local timestamp "YYYY-MM-DD HH:MM:SS.mmm ":
  BTC_ETH book: asks((price,size)): (0.02100000,12.50000000)     snapshot, top --depth levels
  Add or change BTC_ETH,side=bid,price=0.02000000,size=3.00000000
  Remove BTC_ETH,side=ask,price=0.02100000
  TRADE BTC_ETH=25531212(tradeId),bid(bookSide),0.02100000(price),0.02000000(size),1580000000(timestamp)
  TICKER UPDATE BTC_ETH=0.0210(last),...(lowestAsk),...,0.0200(low24hr)
Diagnostics go to stderr, one line each, prefixed "polo-ws:".

The book: with --api v3 (the default) the exchange's book_lv2 channel is the best 20 levels a side,
not the full book. A Remove line then means the level left that window (cancelled, filled, or pushed
below the 20th); an Add or change may be a level coming into view; --depth prints at most 20.
The legacy push API sent the full book.

Staying live: the reconnect backoff (0.25 s doubling to 30 s) restarts only after market data;
--data-timeout replaces a connection that answers pings but carries no data; --resync-timeout
resends a book resubscribe (3 tries, then a new connection); --markets-refresh picks up new and
delisted markets.

Examples:
  $ polo-ws demo                                   stream from the built-in simulator
  $ polo-ws --pairs BTC_USDT,ETH_USDT --depth 5    two pairs, five levels per snapshot side
  $ polo-ws --pairs '*_USDT' --channels trades     globs; subscribe to trades only
  $ polo-ws | grep --line-buffered ' TRADE '       trades only, as they come
  $ polo-ws --format json | jq -r .price           NDJSON for jq
  $ polo-ws --top --timestamp utc                  best bid/ask changes with the spread
  $ polo-ws --max-lines 100                        the first 100 lines, then exit 0
  $ polo-ws --markets-refresh 10 --stats           new listings within 10 s; status lines on stderr
  $ polo-ws --duration 60 --record s.ndjson        a minute, recorded ...
  $ polo-ws replay s.ndjson                        ... and printed again, byte for byte
  $ polo-ws --api legacy --rest-url http://127.0.0.1:8080 --ws-url ws://127.0.0.1:8080 --max-reconnects 0
                                                   a legacy-protocol server; exit when it closes
  $ polo-ws watch BTC_USDT                         one pair's book as a live ladder (q quits)
  $ polo-ws --publish nats://127.0.0.1:4222        also into NATS JetStream (stream POLONIEX) ...
  $ polo-ws subscribe nats://127.0.0.1:4222 --since all
                                                   ... and the same lines back, on any machine

Exit status:
  0 done (server closed normally, reader left, --max-lines or --duration reached),
  1 internal error, 2 usage error,
  3 REST request failed, 4 REST answer unusable, 5 websocket failed or lost,
  6 a file (--record, replay) unusable, 7 NATS unreachable, stream unusable or events
  not confirmed (--publish, subscribe), 130 SIGINT, 143 SIGTERM`;

/**
 * Builds the polo-ws program. `setStatus` receives the exit status an action ends with; errors
 * (PoloError, CommanderError) are thrown to the caller.
 */
export function createProgram(io: CliIO, setStatus: (status: number) => void): Command {
  const program = new Command('polo-ws')
    .description('Stream Poloniex market data as timestamped lines: order-book snapshots and changes, trades, tickers.\nEvery book is sequence-checked; prices and sizes are printed exactly as the exchange sent them.')
    .version(VERSION, '-V, --version')
    .enablePositionalOptions()
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr(text),
      outputError: (text, write) => write(`polo-ws: ${text}`),
    })
    .showHelpAfterError('(run polo-ws --help for usage)')
    .addHelpText('after', EXAMPLES);
  addStreamOptions(program, true).action(async (flags: StreamFlags) => setStatus(await stream(flags, io)));
  addSimulatorCommands(program, io, setStatus);
  addReplayCommand(program, io, setStatus);
  addSubscribeCommand(program, io, setStatus);
  addWatchCommand(program, io, setStatus);
  return program;
}

/** Parses argv (without node and script) and runs; resolves to the exit status. */
export async function run(argv: readonly string[], io: CliIO): Promise<number> {
  let status = 0;
  const program = createProgram(io, (s) => (status = s));
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    throw error;
  }
  return status;
}
