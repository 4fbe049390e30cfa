import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { measure, threadIds } from './measure.mjs';

/** How often the reference process is looked at while it runs. */
const POLL_MS = 20;
/** After the server's close, output unchanged for this long counts as idle (fallback to the thread ending). */
const IDLE_MS = 1_000;

/**
 * A python3 that can run the reference script (it imports websockets and requests), or undefined:
 * BENCH_PYTHON if set (and only it), else python3 on PATH, else the system one (pyenv shims often
 * lack both modules).
 */
export function findReferencePython() {
  const candidates = process.env.BENCH_PYTHON ? [process.env.BENCH_PYTHON] : ['python3', '/usr/bin/python3'];
  return candidates.find((python) => spawnSync(python, ['-c', 'import websockets, requests'], { stdio: 'ignore' }).status === 0);
}

/** "python 3.11.2, websockets 10.4": what the reference row ran on. */
export function pythonVersion(python) {
  const script = 'import sys, websockets; print("python %s, websockets %s" % (sys.version.split()[0], websockets.__version__))';
  return spawnSync(python, ['-c', script], { encoding: 'utf8' }).stdout?.trim() || 'version unknown';
}

/** The main thread's `while True:` loop whose body is only `pass` (comments allowed): the busy loop. */
const BUSY_LOOP = /^([ \t]*)while True:\n((?:[ \t]*#.*\n)*)([ \t]*)pass$/m;

/**
 * The reference script's code block with its two endpoints pointed at the simulator, written to
 * `dir`, as test/fixtures/make-reference-output.sh does, and its busy loop (the main thread's
 * `while True: pass`, which keeps the process alive) made a loop of `time.sleep(0.5)`: "the
 * reference script without its busy loop" (issue 15) is then what runs, its CPU all its own work.
 * Spinning, it took 59 of its 61 s of CPU, and took the GIL from its websocket thread after every
 * read, which fell so far behind that websockets' keepalive ping timed out. Undefined when the
 * script or its busy loop is missing.
 */
export function writeReferenceScript(markdownPath, dir, restUrl, wsUrl) {
  if (!existsSync(markdownPath)) return undefined;
  const markdown = readFileSync(markdownPath, 'utf8');
  const code = /^```python\n([\s\S]*?)^```/m.exec(markdown)?.[1];
  if (code === undefined || !BUSY_LOOP.test(code)) return undefined;
  const slept = code.replace(BUSY_LOOP, '$1while True:\n$2$3time.sleep(0.5)');
  const calm = /^import time$/m.test(slept) ? slept : `import time\n${slept}`;
  const script = join(dir, 'reference-local.py');
  writeFileSync(script, calm.replaceAll('https://poloniex.com', restUrl).replaceAll('wss://api2.poloniex.com', wsUrl));
  return script;
}

/** Bytes the process has written so far (stdout included), from /proc; undefined if unreadable. */
function writtenBytes(pid) {
  try {
    return Number(/^wchar: (\d+)$/m.exec(readFileSync(`/proc/${pid}/io`, 'utf8'))?.[1]);
  } catch {
    return undefined;
  }
}

/**
 * Runs the reference script against the simulator, stdout to /dev/null. It never exits by itself
 * (its main thread loops forever), so it gets SIGTERM once its websocket thread has ended (it dies
 * on the server's close, or on any error), or once the server has closed and its output has been
 * idle for IDLE_MS, or after `deadlineMs` (`timedOut`). Resolves to the measurement plus
 * `activeWall` (start to the end of its work).
 */
export async function runReference(python, script, { serverClosed, deadlineMs }) {
  let pid;
  let closed = false;
  void serverClosed.then(() => (closed = true));
  const started = performance.now();
  // requests honours HTTP(S)_PROXY: the simulator is on loopback, never behind a proxy.
  const env = { ...process.env, NO_PROXY: '127.0.0.1,localhost', no_proxy: '127.0.0.1,localhost' };
  const run = measure(python, [script], { env, onStart: (p) => (pid = p) });
  let finished = false;
  void run.finally(() => (finished = true)).catch(() => undefined);
  let worker;
  let timedOut = false;
  let activeEnd = started;
  let lastBytes = -1;
  let lastChange = performance.now();
  while (!finished) {
    await sleep(POLL_MS);
    if (pid === undefined) continue;
    const threads = threadIds(pid);
    // The first thread after the main one is the websocket thread (asyncio adds resolver threads later).
    if (worker === undefined && threads.size > 1) {
      worker = Math.min(...[...threads].filter((tid) => tid !== pid));
    }
    const bytes = writtenBytes(pid);
    if (bytes !== lastBytes) {
      lastBytes = bytes;
      lastChange = performance.now();
    }
    // The websocket thread ends on the server's close (or on any error): nothing more will happen.
    const workerGone = worker !== undefined && !threads.has(worker);
    if (workerGone) break;
    activeEnd = performance.now();
    if (closed && performance.now() - lastChange > IDLE_MS) {
      activeEnd = lastChange;
      break;
    }
    if (performance.now() - started > deadlineMs) {
      timedOut = true;
      break;
    }
  }
  if (!finished && pid !== undefined) process.kill(pid, 'SIGTERM');
  const result = await run;
  return { ...result, activeWall: (activeEnd - started) / 1000, timedOut };
}
