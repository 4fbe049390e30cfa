import { Command, InvalidArgumentError, Option } from 'commander';
import { addStreamOptions, stream, type CliIO, type StreamFlags } from './stream.js';
import { defaultSimOptions, parseFault, type SimApi, type SimFault, type SimOptions } from '../sim/options.js';
import { integerOption } from './options.js';
import { UsageError } from '../errors.js';
import { describe } from '../printable.js';

interface SimFlags {
  readonly api: SimApi;
  readonly host: string;
  readonly port: number;
  readonly seed: number;
  readonly markets: number;
  readonly levels: number;
  readonly rate: number;
  readonly frames: number | undefined;
  readonly fault: SimFault[];
}

const SIM_EXAMPLES = `
Examples:
  $ polo-ws simulate --port 8080
  $ polo-ws --rest-url http://127.0.0.1:8080 --ws-url ws://127.0.0.1:8080/ws/public
  $ polo-ws simulate --api legacy --port 8080 --frames 5000 --fault gap@500 --fault malformed@100 --fault rest-fail:2:502
  $ polo-ws --api legacy --rest-url http://127.0.0.1:8080 --ws-url ws://127.0.0.1:8080 --max-reconnects 0

Faults (--fault, repeatable; @N = at the Nth market frame of a connection; each fires once):
  gap@N[:PAIR]  skip one sequence number      duplicate@N      re-send a book frame
  malformed@N   frames that are not valid     unknown-pair@N   frames for an unlisted pair
  cut@N         drop TCP, no close frame      silence@N:MS     send nothing for MS ms
  data-stall@N  no more market data, while pongs, acks (v3) and heartbeats (legacy) go on
  rest-fail:COUNT[:STATUS]  the first COUNT REST requests answer HTTP STATUS (default 502)
v3 only:
  refuse-resubscribe[:COUNT]  the first COUNT book_lv2 resubscribes (default 1) get only
                              {"event":"error","message":"Already subscribed"}
  close-after-ack[:COUNT]     the first COUNT connections (default all) ack, then send
                              "Subscription failed" and close with 1001
  new-listing:MS              the last pair is unlisted (not in /markets, not subscribable)
                              until MS ms after start`;

function collectFault(value: string, previous: SimFault[]): SimFault[] {
  try {
    return [...previous, parseFault(value)];
  } catch (error) {
    throw new InvalidArgumentError(error instanceof Error ? error.message : String(error));
  }
}

function addSimOptions(command: Command, forDemo: boolean): Command {
  const d = defaultSimOptions;
  command
    .option('--seed <n>', 'seed of the simulated market (same seed, same events)', integerOption(0), d.seed)
    .option('--markets <n>', 'number of simulated pairs', integerOption(1, 5000), d.pairs)
    .option('--levels <n>', 'levels per side in the simulated books', integerOption(1, 100_000), d.depth)
    .option('--rate <n>', 'market frames per second per connection (0: as fast as possible)', integerOption(0), forDemo ? 20 : d.rate);
  if (!forDemo) {
    command
      .option('--host <host>', 'address to listen on', '127.0.0.1')
      .option('--port <n>', 'port to listen on (0: any free port)', integerOption(0, 65_535), 0)
      .option('--frames <n>', 'close each connection normally after this many market frames', integerOption(1))
      .option('--fault <spec>', 'inject a fault (repeatable, see below)', collectFault, []);
  }
  return command;
}

/** Starts the simulator, loading its code only when a command needs it. */
async function startSim(flags: Partial<SimFlags>) {
  const { startSimulator } = await import('../sim/server.js');
  try {
    return await startSimulator(simOptions(flags));
  } catch (error) {
    throw startError(error, flags.host ?? '127.0.0.1', flags.port ?? 0);
  }
}

/** What a failed listen means, by the code Node gives it. */
const LISTEN_FAILURES: Readonly<Record<string, string>> = {
  EADDRNOTAVAIL: 'this machine has no such address',
  EADDRINUSE: 'the port is in use',
  EACCES: 'permission denied',
  ENOTFOUND: 'no such host',
  EAI_AGAIN: 'the host name cannot be resolved now',
};

/**
 * Why the simulator could not start, as a usage error (exit 2): both causes are the options given,
 * a bad combination (startSimulator's RangeError) or an address it cannot listen on.
 */
function startError(error: unknown, host: string, port: number): unknown {
  if (error instanceof RangeError) return new UsageError(error.message);
  const { code, syscall } = (error ?? {}) as { code?: unknown; syscall?: unknown };
  if (typeof code !== 'string' || (syscall !== 'listen' && syscall !== 'getaddrinfo')) return error;
  const where = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  const reason = LISTEN_FAILURES[code];
  return new UsageError(`cannot listen on ${where}: ${reason === undefined ? describe(error) : `${reason} (${code})`}`);
}

function simOptions(flags: Partial<SimFlags>): Partial<SimOptions> {
  return {
    api: flags.api,
    seed: flags.seed,
    pairs: flags.markets,
    depth: flags.levels,
    rate: flags.rate,
    frames: flags.frames,
    faults: flags.fault ?? [],
    host: flags.host,
    port: flags.port,
  };
}

/** Adds `simulate` (the simulated exchange alone) and `demo` (simulator plus stream) to the program. */
export function addSimulatorCommands(program: Command, io: CliIO, setStatus: (status: number) => void): void {
  const simulate = program
    .command('simulate')
    .description('Run the built-in simulated exchange (the current v3 API, or the legacy push API) on one loopback port until Ctrl-C.')
    .addOption(new Option('--api <name>', 'protocol the simulator speaks').choices(['v3', 'legacy']).default('v3'))
    .addHelpText('after', SIM_EXAMPLES);
  addSimOptions(simulate, false).action(async (flags: SimFlags) => {
    const server = await startSim(flags);
    const api = flags.api === 'legacy' ? '--api legacy ' : '';
    io.stderr(`polo-ws: simulator (${flags.api}) listening: use ${api}--rest-url ${server.restUrl} --ws-url ${server.wsUrl} (Ctrl-C to stop)\n`);
    await new Promise<void>((resolve) => io.signal.addEventListener('abort', () => resolve(), { once: true }));
    await server.close();
    setStatus(typeof io.signal.reason === 'number' ? io.signal.reason : 0);
  });

  const demo = program
    .command('demo')
    .description('Stream from the built-in simulated exchange, started in-process, through the normal pipeline.')
    .addOption(new Option('--api <name>', 'protocol the simulator and the stream speak').choices(['v3', 'legacy']).default('v3'))
    .addHelpText('after', '\nExamples:\n  $ polo-ws demo --duration 10\n  $ polo-ws demo --depth 3 --pairs BTC_ETH | grep TRADE');
  addSimOptions(addStreamOptions(demo, false), true).action(async (flags: StreamFlags & SimFlags) => {
    const server = await startSim(flags);
    try {
      setStatus(await stream({ ...flags, restUrl: server.restUrl, wsUrl: server.wsUrl }, io));
    } finally {
      await server.close();
    }
  });
}
