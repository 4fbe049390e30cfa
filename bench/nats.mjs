// nats-server for the (c+p) burst row: a fresh server (and JetStream store) per run, so each run
// starts from an empty stream and none meets the stream of another (only one stream may capture
// poloniex.> per server). Its own CPU is read from /proc around each run.
import { spawn } from 'node:child_process';
import { accessSync, constants, readFileSync, rmSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';

const READY_TIMEOUT_MS = 10_000;
const STOP_GRACE_MS = 5_000;
const LOG_LIMIT = 100_000;
/** Linux's USER_HZ: /proc reports CPU times in these ticks. */
const TICKS_PER_SECOND = 100;

/** Servers still running: killed if the bench exits without stopping them (an exception, Ctrl-C). */
const live = new Set();
process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/** Where the bench looks for nats-server, in order (also said in the row when it is missing). */
export const NATS_SEARCHED = '$NATS_SERVER, PATH, /usr/sbin, /usr/bin';

/** The nats-server executable: $NATS_SERVER, then PATH, then /usr/sbin and /usr/bin; undefined when absent. */
export function findNatsServer() {
  const candidates = [];
  if (process.env.NATS_SERVER) candidates.push(process.env.NATS_SERVER);
  for (const dir of (process.env.PATH ?? '').split(delimiter)) if (dir) candidates.push(join(dir, 'nats-server'));
  candidates.push('/usr/sbin/nats-server', '/usr/bin/nats-server');
  return candidates.find((path) => {
    try {
      accessSync(path, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** user and sys CPU seconds of a whole process (every thread) from /proc/PID/stat; undefined without /proc. */
export function processCpu(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name: utime is field 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { user: Number(fields[11]) / TICKS_PER_SECOND, sys: Number(fields[12]) / TICKS_PER_SECOND };
  } catch {
    return undefined;
  }
}

/**
 * Starts `nats-server -js` on loopback, a random client port (-p -1, read from its log), JetStream
 * store in `storeDir`. Resolves once it is ready; rejects with its log's tail when it is not.
 * `stop()` ends it (SIGTERM, SIGKILL after 5 s) and removes `storeDir`.
 */
export function startNats(path, storeDir) {
  const child = spawn(path, ['-js', '-a', '127.0.0.1', '-p', '-1', '-sd', storeDir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  let exited = false;
  live.add(child);
  const exit = new Promise((resolve) => child.on('exit', () => resolve()));
  exit.then(() => live.delete(child));
  exit.then(() => (exited = true));
  const stop = async () => {
    if (!exited) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
      await exit;
      clearTimeout(timer);
    }
    rmSync(storeDir, { recursive: true, force: true });
  };
  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = async (reason) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      await stop();
      const tail = log.trim().split('\n').slice(-3).join(' | ');
      reject(new Error(`nats-server did not start (${reason})${tail === '' ? '' : `: ${tail}`}`));
    };
    const timer = setTimeout(() => fail(`not ready within ${READY_TIMEOUT_MS / 1000} s`), READY_TIMEOUT_MS);
    const onLog = (text) => {
      if (log.length < LOG_LIMIT) log += text;
      if (settled) return;
      const port = /Listening for client connections on [^\s]*:(\d+)/.exec(log)?.[1];
      if (port === undefined || !log.includes('Server is ready')) return;
      settled = true;
      clearTimeout(timer);
      resolve({ url: `nats://127.0.0.1:${port}`, pid: child.pid, cpu: () => processCpu(child.pid), stop, log: () => log });
    };
    child.stdout.setEncoding('utf8').on('data', onLog);
    child.stderr.setEncoding('utf8').on('data', onLog);
    child.on('error', (error) => fail(error.message));
    exit.then(() => fail(`exited with status ${child.exitCode ?? child.signalCode}`));
  });
}

/** Messages and bytes the stream holds now. */
export async function streamState(url, stream) {
  const nc = await connect({ servers: url, name: 'polo-ws bench' });
  try {
    const jsm = await jetstreamManager(nc);
    const { state } = await jsm.streams.info(stream);
    return { messages: state.messages, bytes: state.bytes };
  } finally {
    await nc.close();
  }
}
