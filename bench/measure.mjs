import { spawn, spawnSync } from 'node:child_process';
import { openSync, closeSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const RUSAGE = fileURLToPath(new URL('./rusage.py', import.meta.url));

/** Any python3 runs the rusage wrapper (standard library only); PATH first, then the system one. */
export const WRAPPER_PYTHON = ['python3', '/usr/bin/python3'].find((python) => spawnSync(python, ['-c', 'import os; os.wait4'], { stdio: 'ignore' }).status === 0);

/**
 * Runs one command under bench/rusage.py and resolves to its own CPU (user + sys seconds), peak
 * RSS (MB), wall time (s), exit status and stderr text. `stdout` is a file path (default
 * /dev/null); `onStart(pid)` is called once the command runs, for callers that sample or signal it.
 */
export function measure(command, args, { stdout = '/dev/null', env, cwd, onStart } = {}) {
  if (WRAPPER_PYTHON === undefined) throw new Error('bench needs python3 (standard library only) to measure child processes');
  const out = openSync(stdout, 'w');
  const child = spawn(WRAPPER_PYTHON, [RUSAGE, command, ...args], { stdio: ['ignore', out, 'pipe', 'pipe'], env, cwd });
  closeSync(out);
  let stderr = '';
  let reports = '';
  child.stderr.setEncoding('utf8').on('data', (text) => (stderr += text));
  child.stdio[3].setEncoding('utf8').on('data', (text) => {
    const before = reports;
    reports += text;
    // The first report line is {"pid": N}, written as the command starts.
    if (!before.includes('\n') && reports.includes('\n')) onStart?.(JSON.parse(reports.split('\n')[0]).pid);
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', () => {
      const last = reports.trim().split('\n').at(-1);
      const result = last === undefined || last === '' ? undefined : JSON.parse(last);
      if (result === undefined || result.status === undefined) {
        reject(new Error(`${command} ${args.join(' ')}: no rusage report (${stderr.trim().slice(-300)})`));
        return;
      }
      resolve({
        status: result.status,
        cpu: result.user + result.sys,
        user: result.user,
        sys: result.sys,
        rssMb: result.maxrssKb / 1024,
        wall: result.wall,
        stderr,
      });
    });
  });
}

/**
 * The ids of a process's live threads, from /proc; empty when the process or /proc is gone. Used
 * to see when the reference script's websocket thread has ended.
 */
export function threadIds(pid) {
  try {
    return new Set(readdirSync(`/proc/${pid}/task`).map(Number));
  } catch {
    return new Set();
  }
}
