import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../../bin/polo-ws.js', import.meta.url));

export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  /** Kill the process (and fail) if it runs longer than this. */
  readonly timeoutMs?: number;
  /** Called once the process has started, e.g. to send it a signal later. */
  readonly onSpawn?: (child: ChildProcess) => void;
}

/** Runs the built bin/polo-ws.js as a user would, collecting its output and exit status. */
export function runCli(args: readonly string[], options: RunOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    // A test that fails or times out must not leave a stream running behind it.
    const reap = (): void => {
      child.kill('SIGKILL');
    };
    process.once('exit', reap);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`polo-ws ${args.join(' ')} did not finish in ${options.timeoutMs ?? 15_000} ms; stderr: ${stderr}`));
    }, options.timeoutMs ?? 15_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      process.off('exit', reap);
      resolve({ code, signal, stdout, stderr });
    });
    options.onSpawn?.(child);
  });
}

/** The stdout lines with their "YYYY-MM-DD HH:MM:SS.mmm " timestamps checked and cut. */
export function untimed(stdout: string): string[] {
  const lines = stdout.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines.map((line) => {
    if (!/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} /.test(line)) throw new Error(`line without a timestamp: ${line}`);
    return line.slice(24);
  });
}
