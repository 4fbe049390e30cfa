import v8 from 'node:v8';
import { run } from './cli.js';
import { ExitStatus, PoloError } from './errors.js';
import { printable, printableLines } from './printable.js';

// A streamer's live data is small (books, a few MB) but it allocates fast; V8's defaults let the
// young generation and the old-space limit grow far past that under a burst (measured: peaks of
// 160-200 MB RSS after a stalled reader resumes). Keeping the young generation at its start size
// and growing the old space in 15% steps held those peaks near 110 MB at the same CPU.
// A publishing run (--publish) keeps V8's defaults: its writes to NATS allocate about as much
// again, and in a young generation of its start size that cost 10% more CPU (bench/README.md);
// what it holds for NATS is bounded by the publisher itself. Read before the command line is
// parsed: V8 sizes the young generation as the heap starts.
//
// A young generation that small is collected often (some 470 times in a 400k-frame burst), and
// V8 splits each collection among helper threads: with two cores and a feed to read, handing the
// work out and waiting for it cost more CPU than it saved. One thread scavenges (legacy burst, 8
// alternating runs: 1.37-1.44 s -> 1.33-1.41 s; v3 and --publish runs the same either way). The
// other GC threads stay: switching some of them off once the heap has started crashes V8
// (--single-threaded-gc, --no-parallel-marking).
if (!process.argv.some((arg) => arg === '--publish' || arg.startsWith('--publish='))) {
  v8.setFlagsFromString('--semi-space-growth-factor=1');
  v8.setFlagsFromString('--heap-growing-percent=15');
  v8.setFlagsFromString('--no-parallel-scavenge');
}
// The only WebAssembly polo-ws runs is undici's HTTP parser (llhttp), which reads the REST market
// list. Once it has run, V8 recompiles its 33 KB main function with TurboFan on a background thread:
// 74 ms of CPU and 30 MB of compiler memory in every run that asks the exchange, for a parser that
// reads one answer a minute and is about as fast with Liftoff's code (a 400 KB answer: 15 ms the
// first time either way, 0.1-0.2 ms more each time after). Measured (v3, --max-lines 10 against the
// simulator): 0.28 -> 0.20 s of CPU, peak RSS 108 -> 72 MB; --publish runs alike. JavaScript is
// optimized as before: the flag keeps TurboFan from WebAssembly only.
v8.setFlagsFromString('--liftoff-only');
// TurboFan inlines up to 920 bytes of bytecode into each function it optimizes; polo-ws's hot path
// is many small functions, so each of its first optimizations compiled most of the pipeline into
// one (a 100k-message v3 burst optimizes 166 functions, some taking 15-20 ms each), and the first
// pass over a feed cost more than twice the later ones. With 400 bytes the compiles are smaller
// and ready sooner; steady-state decoding is some 5% slower (scanner micro-benchmark), a paced
// 400k-frame run the same within noise, bursts cheaper (5 alternating runs: v3 0.66-0.73 ->
// 0.62-0.63 s, legacy 1.18-1.21 -> 1.16-1.19 s). Read as each function is compiled, so it can be
// set here (unlike --no-concurrent-recompilation, bench/README.md).
v8.setFlagsFromString('--max-inlined-bytecode-size-cumulative=400');

/**
 * Writes diagnostics to stderr until stderr fails: the reader gone (`2>&1 | head`, EPIPE) or a full
 * disk (ENOSPC). There is nowhere left to report that, so later diagnostics are dropped and the run
 * goes on (stdout's own EPIPE still ends it with 0), as pino's filterBrokenPipe drops output.
 */
function diagnosticsWriter(): (text: string) => void {
  let open = true;
  // Without a listener the failed write's 'error' event would crash the process (exit 1).
  process.stderr.on('error', () => {
    open = false;
  });
  return (text) => {
    // Nothing reaches the terminal raw: help and usage keep their line breaks, nothing else does.
    if (open) process.stderr.write(printableLines(text));
  };
}

/** The process entry point: signals, exit status, and one stderr line for any error. */
async function main(): Promise<void> {
  const controller = new AbortController();
  const onSignal = (status: number) => () => {
    // A second Ctrl-C means "now": skip the graceful close.
    if (controller.signal.aborted) process.exit(status);
    controller.abort(status);
  };
  process.on('SIGINT', onSignal(ExitStatus.SIGINT));
  process.on('SIGTERM', onSignal(ExitStatus.SIGTERM));
  const stderr = diagnosticsWriter();
  let status: number;
  try {
    status = await run(process.argv.slice(2), { stdout: process.stdout, stderr, signal: controller.signal, now: Date.now, stdin: process.stdin, env: process.env });
  } catch (error) {
    if (error instanceof PoloError) {
      stderr(`polo-ws: error: ${printable(error.message)}\n`);
      status = error.exitStatus;
    } else {
      const detail = process.env.POLO_WS_DEBUG === '1' && error instanceof Error ? error.stack : String(error);
      stderr(`polo-ws: internal error: ${process.env.POLO_WS_DEBUG === '1' ? printableLines(detail ?? '') : printable(detail ?? '')} (please report it; POLO_WS_DEBUG=1 shows the stack)\n`);
      status = ExitStatus.INTERNAL;
    }
  }
  // Everything written to stdout is handed over before exiting; process.exit ends open handles.
  process.stdout.write('', () => process.exit(status));
}

void main();
