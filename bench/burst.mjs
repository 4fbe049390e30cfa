// The burst rows: a recorded feed (a polo-ws --record file), pre-encoded and written to each client
// as fast as its socket takes them. The simulator then never makes a client wait, so each process
// spends CPU on its own work alone: the parse-only client on framing and JSON.parse, polo-ws on that
// plus validation, books, formatting and writing. Against the simulator both clients also pay for
// waking up for every few frames, which a real feed makes them do too.
//
// Legacy: (a), (c), (c+p) (--publish into a nats-server started here, a fresh one, empty store, per
// run) and (d) the reference script. v3: (a) and (c), REST from the simulator that made the recording.
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocketServer } from 'ws';
import { measure } from './measure.mjs';
import { NATS_SEARCHED, startNats, streamState } from './nats.mjs';
import { runReference, writeReferenceScript } from './reference.mjs';
import { getNodeFlags, median } from './rows.mjs';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(REPO, 'bin', 'polo-ws.js');
const JSON_CLIENT = join(REPO, 'bench', 'json-client.mjs');

/** Server-to-client text frames (unmasked), back to back: what a websocket server writes for each message. */
function encodeFrames(texts) {
  const parts = [];
  for (const text of texts) {
    const payload = Buffer.from(text, 'utf8');
    let header;
    if (payload.length < 126) header = Buffer.from([0x81, payload.length]);
    else if (payload.length < 65536) {
      header = Buffer.alloc(4);
      header[0] = 0x81;
      header[1] = 126;
      header.writeUInt16BE(payload.length, 2);
    } else {
      header = Buffer.alloc(10);
      header[0] = 0x81;
      header[1] = 127;
      header.writeBigUInt64BE(BigInt(payload.length), 2);
    }
    parts.push(header, payload);
  }
  return Buffer.concat(parts);
}

/**
 * A server that sends the recording's frames in one burst on each connection, once the client has
 * sent its subscriptions, then closes it (1000). Legacy: it answers returnTicker from the
 * recording; v3 clients get their REST from `restUrl` (the simulator that made the recording).
 * `closed(n)` resolves when its n-th connection (1-based) has been closed.
 */
async function startBurstServer(recordFile, restUrl) {
  const records = readFileSync(recordFile, 'utf8').split('\n').filter((line) => line !== '').map((line) => JSON.parse(line));
  const markets = records.find((record) => record.type === 'markets');
  const ticker = {};
  for (const [id, pair] of Object.entries(markets.byId)) ticker[pair] = { id: Number(id) };
  const burst = encodeFrames(records.filter((record) => record.type === 'frame' && record.conn === 1).map((record) => record.data));
  const server = createServer((request, response) => {
    response.setHeader('content-type', 'application/json');
    response.end(JSON.stringify(ticker));
  });
  const wss = new WebSocketServer({ server });
  const closes = [];
  wss.on('connection', (socket) => {
    closes.push(new Promise((resolve) => socket.once('close', resolve)));
    // Once the client has sent its subscriptions (the first, then a moment for the rest), the burst.
    socket.once('message', () => {
      setTimeout(async () => {
        const raw = socket._socket;
        const chunk = 1 << 20;
        for (let at = 0; at < burst.length; at += chunk) {
          if (!raw.write(burst.subarray(at, at + chunk))) await new Promise((resolve) => raw.once('drain', resolve));
        }
        socket.close(1000);
      }, 100);
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    restUrl: restUrl ?? `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}`,
    connections: () => closes.length,
    closed: async (n) => {
      while (closes.length < n) await new Promise((resolve) => setTimeout(resolve, 20));
      await closes[n - 1];
    },
    close: () =>
      new Promise((resolve) => {
        for (const client of wss.clients) client.terminate();
        wss.close();
        server.close(() => resolve());
      }),
  };
}

export const PUBLISH_LABEL = '(c+p) CLI end to end, burst, --publish';
/** The stream the (c+p) runs publish into (each on its own server). */
export const PUBLISH_STREAM = 'BENCH';
/** How long `polo-ws subscribe` may take to print the check run's lines back. */
const SUBSCRIBE_TIMEOUT_MS = 120_000;

function cliArgs(server, api) {
  return [CLI, '--api', api, '--rest-url', server.restUrl, '--ws-url', server.wsUrl, '--max-reconnects', '0'];
}

function lastLine(text) {
  return text.trim().split('\n').at(-1)?.slice(0, 300) ?? '';
}

/** Runs `fn(nats)` with a fresh nats-server (its store in a new dir under `work`), stopped and removed after. */
async function withNats(publish, fn) {
  const nats = await startNats(publish.nats, mkdtempSync(join(publish.work, 'nats-')));
  try {
    return await fn(nats);
  } finally {
    await nats.stop();
  }
}

/** One timed (c+p) run: polo-ws's own CPU (as (c)), and the nats-server's CPU from its start to polo-ws's exit. */
function publishRun(server, publish) {
  return withNats(publish, async (nats) => {
    const before = nats.cpu();
    const run = await measure(process.execPath, [...getNodeFlags(), ...cliArgs(server, 'legacy'), '--publish', nats.url, '--stream', PUBLISH_STREAM]);
    const after = nats.cpu();
    const natsCpu = before === undefined || after === undefined ? undefined : { user: after.user - before.user, sys: after.sys - before.sys };
    return { run, natsCpu };
  });
}

/** A command with stdout to a file, killed after `timeoutMs`: its status (null when killed), stderr and whether it timed out. */
function runToFile(command, args, stdout, timeoutMs) {
  const out = openSync(stdout, 'w');
  const child = spawn(command, args, { stdio: ['ignore', out, 'pipe'] });
  closeSync(out);
  let stderr = '';
  let timedOut = false;
  child.stderr.setEncoding('utf8').on('data', (text) => (stderr += text));
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGTERM');
  }, timeoutMs);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stderr, timedOut });
    });
  });
}

/** Newline-terminated lines in a buffer. */
function countLines(buffer) {
  let count = 0;
  for (let at = buffer.indexOf(10); at >= 0; at = buffer.indexOf(10, at + 1)) count++;
  return count;
}

/** Where two outputs first differ, in words; undefined when they are the same bytes. */
function difference(published, again) {
  if (published.equals(again)) return undefined;
  const lines = (buffer) => {
    const list = buffer.toString('utf8').split('\n');
    if (list.at(-1) === '') list.pop();
    return list;
  };
  const a = lines(published);
  const b = lines(again);
  let at = 0;
  while (at < Math.max(a.length, b.length) && a[at] === b[at]) at++;
  const shown = (line) => (line === undefined ? 'nothing' : `"${line.slice(0, 160)}"`);
  const where = at < Math.max(a.length, b.length) ? `line ${at + 1}: polo-ws printed ${shown(a[at])}, subscribe ${shown(b[at])}` : 'the same lines, not the same line ends';
  return `${published.length} bytes printed, ${again.length} read back; ${where}`;
}

/**
 * "The stream holds every event": once, untimed, a (c+p) run with --timestamp none and stdout to a
 * file, then `polo-ws subscribe --since all --max-lines <lines printed> --timestamp none` on the same
 * server: the two outputs must be the same bytes, and the stream must hold messages.
 */
function publishCheck(server, publish, expectedLines) {
  return withNats(publish, async (nats) => {
    const printedFile = join(publish.work, 'burst.publish.out');
    const backFile = join(publish.work, 'burst.subscribe.out');
    const run = await measure(process.execPath, [...cliArgs(server, 'legacy'), '--publish', nats.url, '--stream', PUBLISH_STREAM, '--timestamp', 'none'], { stdout: printedFile });
    if (run.status !== 0) return { problem: `polo-ws --publish (check run) exited with status ${run.status}: ${lastLine(run.stderr)}` };
    const printed = readFileSync(printedFile);
    const lines = countLines(printed);
    const state = await streamState(nats.url, PUBLISH_STREAM);
    const check = { lines, messages: state.messages, bytes: state.bytes };
    const problems = [];
    if (lines !== expectedLines) problems.push(`the check run printed ${lines} lines, (c) ${expectedLines} for the same frames`);
    if (state.messages === 0) problems.push(`stream ${PUBLISH_STREAM} holds no messages after the run`);
    if (lines === 0 || state.messages === 0) return { ...check, problem: problems.join('; ') || undefined };
    const started = performance.now();
    const args = [CLI, 'subscribe', nats.url, '--stream', PUBLISH_STREAM, '--since', 'all', '--max-lines', String(lines), '--timestamp', 'none'];
    const sub = await runToFile(process.execPath, args, backFile, SUBSCRIBE_TIMEOUT_MS);
    check.subscribeWall = (performance.now() - started) / 1000;
    const again = readFileSync(backFile);
    check.readBack = countLines(again);
    if (sub.timedOut) problems.push(`subscribe printed ${check.readBack} of ${lines} lines in ${SUBSCRIBE_TIMEOUT_MS / 1000} s and was stopped`);
    else if (sub.status !== 0) problems.push(`subscribe exited with status ${sub.status}: ${lastLine(sub.stderr)}`);
    const differs = difference(printed, again);
    if (differs !== undefined) problems.push(`subscribe's lines differ from polo-ws's: ${differs}`);
    check.same = differs === undefined;
    return { ...check, problem: problems.join('; ') || undefined };
  });
}

/** (d) the reference script (its busy loop a sleep: bench/reference.mjs) against the burst server, once. */
async function referenceBurstRow(server, counts, reference) {
  const label = '(d) reference script, no busy loop';
  if (reference.skip !== undefined) return { row: { label, text: `n/a (${reference.skip})` } };
  const script = writeReferenceScript(reference.markdown, reference.work, server.restUrl, server.wsUrl);
  if (script === undefined) return { row: { label, text: `n/a (reference script, or its busy loop, not found in ${reference.markdown})` } };
  const run = await runReference(reference.python, script, { serverClosed: server.closed(server.connections() + 1), deadlineMs: reference.deadlineMs });
  const row = { label, frames: counts.marketFrames, wall: run.activeWall, bookUpdates: counts.bookUpdates, lines: null, cpu: run.cpu, user: run.user, sys: run.sys, rssMb: run.rssMb };
  if (run.timedOut) return { row, problem: `(d) stopped after ${(reference.deadlineMs / 1000).toFixed(0)} s (BENCH_REFERENCE_TIMEOUT) before it had read the burst: its CPU is a lower bound` };
  // It ends by an exception on the server's close; any other exception is a failure.
  const problem = /ConnectionClosedOK/.test(run.stderr) ? undefined : `(d) did not end on the server's normal close: ${lastLine(run.stderr)}`;
  return { row, problem };
}

/**
 * (a), (c) and, for legacy, (c+p) against a burst server of `recordFile`, alternating, `times` each,
 * medians kept; then (d) once (legacy, unless `reference` is undefined). `counts`: the recording
 * run's market frames, book updates and lines. `publish`: undefined skips (c+p) (v3, or
 * BENCH_PUBLISH=0); else `{ nats, work }`, `nats` the nats-server path (undefined: not installed,
 * the row says n/a), `work` the dir for its stores and the check's files. `restUrl`: v3's REST.
 */
export async function burstRows(recordFile, counts, times, { api, restUrl, publish, reference }) {
  const server = await startBurstServer(recordFile, restUrl);
  const row = (label, run, lines) => ({ label, frames: counts.marketFrames, wall: run.wall, bookUpdates: counts.bookUpdates, lines, cpu: run.cpu, user: run.user, sys: run.sys, rssMb: run.rssMb });
  const failed = (name, run) => (run.status === 0 ? undefined : `${name} (burst) exited with status ${run.status}: ${lastLine(run.stderr)}`);
  let publishing = publish !== undefined && publish.nats !== undefined;
  let notPublished = publish === undefined ? undefined : publish.nats === undefined ? `nats-server not found (${NATS_SEARCHED})` : undefined;
  try {
    const parse = [];
    const cli = [];
    const published = [];
    for (let i = 0; i < times; i++) {
      const a = await measure(process.execPath, [JSON_CLIENT, server.restUrl, server.wsUrl, api]);
      parse.push({ row: { ...row('(a) parse only, burst', a, null), baseline: true }, problem: failed('json-client', a) });
      const c = await measure(process.execPath, [...getNodeFlags(), ...cliArgs(server, api)]);
      cli.push({ row: row('(c) CLI end to end, burst', c, counts.lines), problem: failed('polo-ws', c) });
      if (!publishing) continue;
      try {
        const { run, natsCpu } = await publishRun(server, publish);
        published.push({ row: row(PUBLISH_LABEL, run, counts.lines), problem: failed('polo-ws --publish', run), natsCpu });
      } catch (error) {
        // nats-server would not start: the row says why, the rest goes on.
        notPublished = error instanceof Error ? error.message : String(error);
        publishing = false;
      }
    }
    const result = { a: median(parse), c: median(cli) };
    if (publish !== undefined) {
      if (notPublished !== undefined || published.length === 0) result.p = { row: { label: PUBLISH_LABEL, text: `n/a (${notPublished ?? 'no runs'})` } };
      else {
        result.p = { ...median(published), natsCpus: published.map((run) => run.natsCpu) };
        try {
          result.p.check = await publishCheck(server, publish, counts.lines);
        } catch (error) {
          result.p.check = { problem: `the publish check failed: ${error instanceof Error ? error.message : String(error)}` };
        }
      }
    }
    if (reference !== undefined) result.d = await referenceBurstRow(server, counts, reference);
    return result;
  } finally {
    await server.close();
  }
}
