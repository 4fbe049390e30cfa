import type { Writable } from 'node:stream';
import { Command, Option } from 'commander';
import type { Recorder } from '../feed/recording.js';
import { runSession } from '../feed/session.js';
import { createProtocol, DEFAULT_ENDPOINTS } from '../protocol/index.js';
import { ALL_CHANNELS, type ApiName, type Channel, type ProtocolAdapter } from '../protocol/types.js';
import type { TimestampMode } from '../output/timestamp.js';
import { channelList, countOrUnlimited, integerOption, pairList, secondsOption, secondsOrNever, urlOption } from './options.js';
import { UsageError } from '../errors.js';
import type { Publishing } from '../bus/publishing.js';
import { printable } from '../printable.js';
import type { TerminalInput } from '../watch/terminal.js';
import { maxAgeOption, natsServers, streamName } from './nats-options.js';

/** What the CLI talks to; tests pass their own. */
export interface CliIO {
  readonly stdout: Writable;
  readonly stderr: (text: string) => void;
  /** Aborted on SIGINT/SIGTERM with the exit status (130/143) as its reason. */
  readonly signal: AbortSignal;
  readonly now: () => number;
  /** The terminal's keys (watch), when there is one. */
  readonly stdin?: TerminalInput | undefined;
  readonly env?: NodeJS.ProcessEnv | undefined;
}

/** Options of the stream, shared by the main command and `demo`. */
/** Where the feed comes from and how its connection is kept: the stream's and `watch`'s. */
export interface SourceFlags {
  readonly api: ApiName;
  readonly restUrl: string | undefined;
  readonly wsUrl: string | undefined;
  readonly maxReconnects: number;
  readonly heartbeatTimeout: number;
  readonly dataTimeout: number;
  readonly resyncTimeout: number;
  readonly marketsRefresh: number;
  readonly restTimeout: number;
  readonly restRetries: number;
}

/** What addOutputOptions adds: what is printed, and how. */
export interface OutputFlags {
  readonly pairs: string[] | undefined;
  readonly channels: ReadonlySet<Channel>;
  readonly depth: number;
  readonly top: boolean | undefined;
  readonly format: 'text' | 'json';
  readonly timestamp: TimestampMode;
  readonly maxLines: number;
}

export interface StreamFlags extends SourceFlags, OutputFlags {
  /** --stats: the interval in ms (5000 when given without a value), undefined when off. */
  readonly stats: number | undefined;
  readonly duration: number | undefined;
  readonly record: string | undefined;
  /** --publish: NATS servers of one cluster, or undefined. */
  readonly publish: string[] | undefined;
  readonly stream: string;
  readonly replicas: number;
  readonly maxAge: number;
  readonly publishSnapshots: number;
}

/** How often --stats writes its line when given without a value, in seconds. */
const STATS_INTERVAL_SECONDS = '5';

/** Adds what decides the lines printed: shared by the stream, `demo` and `replay`. */
export function addOutputOptions(command: Command): Command {
  return command
    .option('--pairs <list>', 'only these pairs, comma-separated, * and ? as globs (default: every pair listed)', pairList)
    .addOption(
      new Option('--channels <list>', 'subscribe to and print only these: ticker, book, trades (comma-separated)')
        .argParser(channelList)
        .default(ALL_CHANNELS, 'ticker,book,trades'),
    )
    .addOption(new Option('--depth <n>', 'levels per side printed for each book snapshot (v3 books are a 20-level window: at most 20)').argParser(integerOption(1, 100_000)).default(1))
    .option('--top', "also print a TOP line whenever a pair's best bid or ask changes, with the spread")
    .addOption(new Option('--format <format>', 'text: the reference lines; json: one JSON object per line (NDJSON)').choices(['text', 'json']).default('text'))
    .addOption(
      new Option('--timestamp <mode>', 'text line stamp: local or utc time, epoch-ms, or none').choices(['local', 'utc', 'epoch-ms', 'none']).default('local'),
    )
    .addOption(new Option('--max-lines <n>', 'stop (status 0) after printing n lines').argParser(integerOption(1)).default(Number.POSITIVE_INFINITY, 'no limit'));
}

/** --api, --rest-url, --ws-url: which exchange, and where. */
export function addEndpointOptions(command: Command): Command {
  return command
    .addOption(new Option('--api <name>', 'protocol: v3 (the current API) or legacy (the retired push API)').choices(['v3', 'legacy']).default('v3'))
    .option('--rest-url <base>', `REST base URL (default: ${DEFAULT_ENDPOINTS.v3.rest}, legacy ${DEFAULT_ENDPOINTS.legacy.rest})`, urlOption(['http', 'https']))
    .option('--ws-url <url>', `websocket URL (default: ${DEFAULT_ENDPOINTS.v3.ws}, legacy ${DEFAULT_ENDPOINTS.legacy.ws})`, urlOption(['ws', 'wss']));
}

/** How the connection is kept: reconnects, the stale and resync clocks, market refreshes, REST. */
export function addConnectionOptions(command: Command): Command {
  return command
    .addOption(
      new Option('--max-reconnects <n>', 'reconnects allowed after a lost connection; 0 exits when the server closes')
        .argParser(countOrUnlimited)
        .default(Number.POSITIVE_INFINITY, 'unlimited'),
    )
    .addOption(
      new Option('--heartbeat-timeout <s>', 'seconds without any frame (pongs and heartbeats count) before the connection is replaced')
        .argParser(secondsOption)
        .default(10_000, '10'),
    )
    .addOption(
      new Option('--data-timeout <s>', 'seconds without market data (book, trade, ticker; pongs and acks do not count) before the connection is replaced; 0: never')
        .argParser(secondsOrNever)
        .default(60_000, '60'),
    )
    .addOption(
      new Option('--resync-timeout <s>', 'seconds a resubscribed book may wait for its snapshot (or a subscription for its ack) before it is sent again; 3 tries, then a book replaces the connection')
        .argParser(secondsOption)
        .default(10_000, '10'),
    )
    .addOption(
      new Option('--markets-refresh <s>', 'fetch the market list again every s seconds: subscribe new listings, drop delisted pairs, update isFrozen; 0: never')
        .argParser(secondsOrNever)
        .default(60_000, '60'),
    )
    .addOption(new Option('--rest-timeout <s>', 'seconds allowed for each REST request').argParser(secondsOption).default(10_000, '10'))
    .addOption(
      new Option('--rest-retries <n>', 'retries of a REST request after a network error, timeout, HTTP 5xx or 429').argParser(integerOption(0, 100)).default(5),
    );
}

/** The session's connection settings from the source flags. */
export function connectionSettings(flags: SourceFlags) {
  return {
    wsUrl: flags.wsUrl ?? DEFAULT_ENDPOINTS[flags.api].ws,
    maxReconnects: flags.maxReconnects,
    heartbeatTimeoutMs: flags.heartbeatTimeout,
    dataTimeoutMs: flags.dataTimeout,
    resyncTimeoutMs: flags.resyncTimeout,
    marketsRefreshMs: flags.marketsRefresh,
    rest: { timeoutMs: flags.restTimeout, retries: flags.restRetries },
  };
}

/** Adds the stream options to a command (the main command and `demo`). */
export function addStreamOptions(command: Command, withEndpoints: boolean): Command {
  if (withEndpoints) addEndpointOptions(command);
  addOutputOptions(command)
    .option('--duration <s>', 'stop (status 0) after this many seconds', secondsOption)
    .option('--record <file>', 'write every frame received, with its time and connection number, to file (NDJSON) for replay')
    .addOption(
      new Option('--stats [s]', `write a status line to stderr every s seconds (default ${STATS_INTERVAL_SECONDS}): rates, live pairs, gaps, resyncs, reconnects, resync timeouts`)
        .preset(STATS_INTERVAL_SECONDS)
        .argParser(secondsOption),
    );
  return addConnectionOptions(command)
    .option('--publish <urls>', 'also publish every event to NATS JetStream (comma-separated nats://host:port of one cluster), on poloniex.<book|trade|ticker>.<PAIR>', natsServers('--publish'))
    .addOption(new Option('--stream <name>', 'the JetStream stream --publish writes (created when missing)').argParser(streamName).default('POLONIEX'))
    .addOption(new Option('--replicas <n>', 'replicas of a stream --publish creates (a cluster of at least n nodes)').argParser(integerOption(1, 5)).default(1))
    .addOption(new Option('--max-age <duration>', 'how long a stream --publish creates keeps events (90s, 30m, 24h, 7d)').argParser(maxAgeOption).default(86_400_000, '24h'))
    .addOption(
      new Option('--publish-snapshots <s>', 'with --publish, also publish every live book in full every s seconds, so a late subscriber has books within s; 0: never')
        .argParser(secondsOrNever)
        .default(10_000, '10'),
    );
}

/** --top reads the book: refuse it without the book channel. */
export function checkTop(top: boolean | undefined, channels: ReadonlySet<Channel>): void {
  if (top === true && !channels.has('book')) throw new UsageError('--top needs the book channel (add book to --channels)');
}

/** The levels a side of a v3 `book_lv2` snapshot has at most: the channel is a window on the book. */
export const V3_BOOK_WINDOW = 20;

/** Runs the stream with parsed flags; resolves to the exit status. */
export async function stream(flags: StreamFlags, io: CliIO): Promise<number> {
  checkTop(flags.top, flags.channels);
  if (flags.api === 'v3' && flags.depth > V3_BOOK_WINDOW && flags.channels.has('book')) {
    io.stderr(
      `polo-ws: warning: --depth ${flags.depth}: the v3 book_lv2 channel is a ${V3_BOOK_WINDOW}-level window on the book, ` +
        `so snapshots print at most ${V3_BOOK_WINDOW} levels a side\n`,
    );
  }
  const endpoints = DEFAULT_ENDPOINTS[flags.api];
  // Loaded only by the runs that record. Opened by the session once the run starts, not here: a
  // usage or REST error must leave the file as it was.
  let recorder: Recorder | undefined;
  if (flags.record !== undefined) {
    const { Recorder } = await import('../feed/recording.js');
    recorder = new Recorder(flags.record);
  }
  const adapter = createProtocol(flags.api, flags.restUrl ?? endpoints.rest);
  // NATS first: an unreachable server or an unusable stream is exit 7 before the exchange is asked.
  const publishing = flags.publish === undefined ? undefined : await openPublishing(flags.publish, flags, io);
  try {
    return await runStream(adapter, flags, recorder, publishing, io);
  } finally {
    await publishing?.abandon();
  }
}

/** --publish: the NATS client is loaded only by the runs that publish. */
async function openPublishing(servers: string[], flags: StreamFlags, io: CliIO): Promise<Publishing> {
  const { Publishing } = await import('../bus/publishing.js');
  return await Publishing.open(
    servers,
    { name: flags.stream, replicas: flags.replicas, maxAgeMs: flags.maxAge },
    { warn: (message) => io.stderr(`polo-ws: warning: nats: ${printable(message)}\n`), signal: io.signal },
  );
}

function runStream(adapter: ProtocolAdapter, flags: StreamFlags, recorder: Recorder | undefined, publishing: Publishing | undefined, io: CliIO): Promise<number> {
  return runSession(
    adapter,
    {
      ...connectionSettings(flags),
      pairs: flags.pairs,
      depth: flags.depth,
      statsIntervalMs: flags.stats,
      top: flags.top === true,
      channels: flags.channels,
      format: flags.format,
      timestamp: flags.timestamp,
      maxLines: flags.maxLines,
      durationMs: flags.duration,
      recorder,
      publishing,
      checkpointEveryMs: flags.publishSnapshots,
    },
    { stdout: io.stdout, stderr: io.stderr, now: io.now, signal: io.signal },
  );
}

