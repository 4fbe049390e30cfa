import { Command, InvalidArgumentError, Option } from 'commander';
import { addOutputOptions, checkTop, type CliIO, type OutputFlags } from './stream.js';

interface ReplayFlags extends OutputFlags {
  readonly speed: number | undefined;
}

/** A plain decimal (10, 0.5, .5): Number() would also take 0x10, 1e3 and Infinity. */
const DECIMAL = /^(\d+(\.\d*)?|\.\d+)$/;

export function speedOption(value: string): number {
  const speed = DECIMAL.test(value.trim()) ? Number(value) : Number.NaN;
  if (!(speed > 0)) throw new InvalidArgumentError(`expected a positive decimal number (e.g. 10 or 0.5), got "${value}"`);
  return speed;
}

/** Adds `replay FILE`: a --record file through the same pipeline, the same lines. */
export function addReplayCommand(program: Command, io: CliIO, setStatus: (status: number) => void): void {
  const replay = program
    .command('replay')
    .argument('<file>', 'a recording made with --record')
    .description('Run a recording made with --record through the same pipeline: the same lines, byte for byte, timestamps from the recording.')
    .addOption(new Option('--speed <x>', "play at x times the recorded pace (default: as fast as possible)").argParser(speedOption))
    .addHelpText(
      'after',
      '\nWithout --pairs or --channels, a replay prints what the recorded run printed.\n\nExamples:\n' +
        '  $ polo-ws --record today.ndjson --duration 60 > live.txt\n' +
        '  $ polo-ws replay today.ndjson > replayed.txt && cmp live.txt replayed.txt\n' +
        '  $ polo-ws replay today.ndjson --speed 10 --top --pairs BTC_USDT',
    );
  addOutputOptions(replay);
  replay.action(async (file: string, flags: ReplayFlags, command: Command) => {
    const channels = command.getOptionValueSource('channels') === 'default' ? undefined : flags.channels;
    checkTop(flags.top, channels ?? new Set(['book']));
    // Loaded only by the runs that replay, as are watch and NATS (scripts/build.mjs).
    const { runReplay } = await import('../feed/replay.js');
    const status = await runReplay({ ...flags, file, channels, top: flags.top === true, speed: flags.speed }, io);
    setStatus(status);
  });
}
