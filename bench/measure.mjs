import { spawn, spawnSync } from 'node:child_process';
import { openSync, closeSync, readFileSync, readdirSync } from 'node:fs';
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

/** Linux's USER_HZ: /proc reports CPU times in these ticks (100 on every mainstream kernel). */
const TICKS_PER_SECOND = 100;

/**
 * CPU seconds (user + sys) of each live thread of a process, by thread id, from /proc; empty when
 * the process or /proc is gone. Used to see when the reference script's websocket thread has ended.
 */
export function threadCpu(pid) {
  const out = new Map();
  let tids;
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const tid of tids) {
    try {
      // Fields after the parenthesised command name: state is field 3, utime 14, stime 15.
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(Number(tid), (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND);
    } catch {
      // The thread ended between readdir and read.
    }
  }
  return out;
}
