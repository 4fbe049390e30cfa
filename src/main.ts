import { run } from './cli.js';
import { ExitStatus, PoloError } from './errors.js';

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
  const stderr = (text: string): void => {
    process.stderr.write(text);
  };
  let status: number;
  try {
    status = await run(process.argv.slice(2), { stdout: process.stdout, stderr, signal: controller.signal, now: Date.now });
  } catch (error) {
    if (error instanceof PoloError) {
      stderr(`polo-ws: error: ${error.message}\n`);
      status = error.exitStatus;
    } else {
      const detail = process.env.POLO_WS_DEBUG === '1' && error instanceof Error ? error.stack : String(error);
      stderr(`polo-ws: internal error: ${detail} (please report it; POLO_WS_DEBUG=1 shows the stack)\n`);
      status = ExitStatus.INTERNAL;
    }
  }
  // Everything written to stdout is handed over before exiting; process.exit ends open handles.
  process.stdout.write('', () => process.exit(status));
}

void main();
