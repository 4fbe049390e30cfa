import { Writable } from 'node:stream';
import { run } from '../../src/cli.js';
import { ExitStatus, PoloError } from '../../src/errors.js';
import { printable, printableLines } from '../../src/printable.js';
import type { CliResult } from './run-cli.js';

export interface InProcessOptions {
  /** Stop the run as SIGINT does (status 130) if it runs longer than this, and fail. */
  readonly timeoutMs?: number;
  /** The clock lines are stamped with (default Date.now). */
  readonly now?: () => number;
  /** Called as the run starts with `stop`, which ends it as a signal does (status 130, or the one given). */
  readonly onStart?: (stop: (status?: number) => void) => void;
  /** Sees each stderr text as it is written; `stop` as for onStart. */
  readonly onStderr?: (text: string, stop: (status?: number) => void) => void;
}

/**
 * Runs the CLI in this process through `run(argv, io)`, as src/main.ts does but with collected
 * output: the same status, the same one stderr line for an error (PoloError or internal) and the
 * same escaping. For what does not depend on the process (options, formats, stamps, errors); tests
 * of signals, pipes, EPIPE and the process's exit use runCli and the built bin/polo-ws.js.
 */
export async function runInProcess(args: readonly string[], options: InProcessOptions = {}): Promise<CliResult> {
  const controller = new AbortController();
  const stop = (status: number = ExitStatus.SIGINT): void => {
    if (!controller.signal.aborted) controller.abort(status);
  };
  let stdout = '';
  let stderr = '';
  const out = new Writable({
    decodeStrings: false,
    write(chunk: string | Buffer, _encoding, done) {
      stdout += typeof chunk === 'string' ? chunk : chunk.toString('utf8');
      done();
    },
  });
  // As main.ts's diagnosticsWriter: nothing reaches the terminal raw, help and usage keep their lines.
  const writeErr = (text: string): void => {
    stderr += printableLines(text);
    options.onStderr?.(text, stop);
  };
  const timeoutMs = options.timeoutMs ?? 15_000;
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    stop();
  }, timeoutMs);
  options.onStart?.(stop);
  let code: number;
  try {
    code = await run(args, { stdout: out, stderr: writeErr, signal: controller.signal, now: options.now ?? Date.now });
  } catch (error) {
    // As main.ts: one line, the PoloError's status, or an internal error (status 1).
    if (error instanceof PoloError) {
      writeErr(`polo-ws: error: ${printable(error.message)}\n`);
      code = error.exitStatus;
    } else {
      const debug = process.env.POLO_WS_DEBUG === '1';
      const detail = (debug && error instanceof Error ? error.stack : String(error)) ?? '';
      writeErr(`polo-ws: internal error: ${debug ? printableLines(detail) : printable(detail)} (please report it; POLO_WS_DEBUG=1 shows the stack)\n`);
      code = ExitStatus.INTERNAL;
    }
  } finally {
    clearTimeout(timer);
  }
  if (timedOut) throw new Error(`polo-ws ${args.join(' ')} did not finish in ${timeoutMs} ms; stderr: ${stderr}`);
  return { code, signal: null, stdout, stderr };
}
