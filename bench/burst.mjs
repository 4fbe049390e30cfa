// The burst rows: the main case's frames again (its --record file), pre-encoded and written to each
// client as fast as its socket takes them. The simulator then never makes a client wait, so each
// process spends CPU on its own work alone: the parse-only client on framing and JSON.parse, polo-ws
// on that plus validation, books, formatting and writing. Against the simulator both clients also
// pay for waking up for every few frames, which a real feed makes them do too.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocketServer } from 'ws';
import { measure } from './measure.mjs';
import { median } from './rows.mjs';

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

/** A legacy server that answers returnTicker from the recording and sends its frames in one burst per connection. */
async function startBurstServer(recordFile) {
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
  wss.on('connection', (socket) => {
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
    restUrl: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        for (const client of wss.clients) client.terminate();
        wss.close();
        server.close(() => resolve());
      }),
  };
}

/**
 * (a) and (c) against the burst server, alternating, `times` each, medians kept. `counts` are the
 * main case's: the same frames, so the same market frames, book updates and lines.
 */
export async function burstRows(recordFile, counts, times) {
  const server = await startBurstServer(recordFile);
  const row = (label, run, lines) => ({ label, frames: counts.marketFrames, wall: run.wall, bookUpdates: counts.bookUpdates, lines, cpu: run.cpu, user: run.user, sys: run.sys, rssMb: run.rssMb });
  const failed = (name, run) => (run.status === 0 ? undefined : `${name} (burst) exited with status ${run.status}: ${run.stderr.trim().split('\n').at(-1)}`);
  try {
    const parse = [];
    const cli = [];
    for (let i = 0; i < times; i++) {
      const a = await measure(process.execPath, [JSON_CLIENT, server.restUrl, server.wsUrl]);
      parse.push({ row: { ...row('(a) parse only, burst', a, null), baseline: true }, problem: failed('json-client', a) });
      const c = await measure(process.execPath, [CLI, '--api', 'legacy', '--rest-url', server.restUrl, '--ws-url', server.wsUrl, '--max-reconnects', '0']);
      cli.push({ row: row('(c) CLI end to end, burst', c, counts.lines), problem: failed('polo-ws', c) });
    }
    return { a: median(parse), c: median(cli) };
  } finally {
    await server.close();
  }
}
