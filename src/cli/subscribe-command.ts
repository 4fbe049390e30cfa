import { Command, Option } from 'commander';
import type { Since } from '../bus/reader.js';
import { natsServers, sinceOption, streamName } from './nats-options.js';
import { secondsOption } from './options.js';
import { addOutputOptions, checkTop, type CliIO, type OutputFlags } from './stream.js';

interface SubscribeFlags extends OutputFlags {
  readonly stream: string;
  readonly since: Since;
  readonly duration: number | undefined;
}

const HELP_AFTER = `
Prints what polo-ws --publish runs wrote to the stream: the same lines, byte for byte, stamped with
the time the publisher received each event. Books are sequence-checked again: a hole in the stream
(expired retention, a message removed) drops that pair's book until its next snapshot, with a
warning. Events two publishers of one feed both sent are stored once; of two snapshots the older
is skipped. A book prints from its first snapshot read: with --since new or a time, that is the
next snapshot a publisher stores (after its start, a reconnect or a resync).

Examples:
  $ polo-ws --publish nats://127.0.0.1:4222 --duration 60 > live.txt
  $ polo-ws subscribe nats://127.0.0.1:4222 --since all --max-lines $(wc -l < live.txt) > again.txt
  $ cmp live.txt again.txt                                         the same bytes
  $ polo-ws subscribe nats://a:4222,nats://b:4222 --channels trades --pairs 'BTC_*'
  $ polo-ws subscribe nats://127.0.0.1:4222 --since 10m --format json | jq .

Exit status: 0 done (--max-lines or --duration), 2 usage error, 7 NATS unreachable or no such
stream, 130 SIGINT, 143 SIGTERM.`;

/** Adds `subscribe URLS`: the stream --publish wrote, printed as polo-ws prints. */
export function addSubscribeCommand(program: Command, io: CliIO, setStatus: (status: number) => void): void {
  const subscribe = program
    .command('subscribe')
    .argument('<urls>', 'NATS servers of one cluster, comma-separated (nats://host:port)', natsServers('subscribe'))
    .description('Print the events a polo-ws --publish run stored in NATS JetStream, as polo-ws prints them.')
    .addOption(new Option('--stream <name>', 'the JetStream stream to read').argParser(streamName).default('POLONIEX'))
    .addOption(
      new Option('--since <when>', 'where to start: all, new, a duration back from now (10m, 2h) or an ISO time (2026-11-25T14:00:00Z)')
        .argParser(sinceOption(io.now))
        .default({ from: 'new' }, 'new'),
    )
    .option('--duration <s>', 'stop (status 0) after this many seconds', secondsOption)
    .addHelpText('after', HELP_AFTER);
  addOutputOptions(subscribe);
  subscribe.action(async (servers: string[], flags: SubscribeFlags) => {
    checkTop(flags.top, flags.channels);
    // The NATS client is loaded only by the runs that use it.
    const { runConsume } = await import('../feed/consume.js');
    const status = await runConsume(
      {
        servers,
        stream: flags.stream,
        since: flags.since,
        pairs: flags.pairs,
        channels: flags.channels,
        depth: flags.depth,
        top: flags.top === true,
        format: flags.format,
        timestamp: flags.timestamp,
        maxLines: flags.maxLines,
        durationMs: flags.duration,
      },
      io,
    );
    setStatus(status);
  });
}
