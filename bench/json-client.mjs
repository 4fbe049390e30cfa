// The parse-only baseline: the least a client of the feed must do. It fetches the market list over
// REST, subscribes exactly as polo-ws does, JSON.parses each frame and nothing else, and exits when
// the server closes. Legacy: the REST ticker map, the ticker channel, then every pair. v3 (the
// current API): REST /markets, then ticker, trades and book_lv2 in batches of 50 symbols a message,
// as src/protocol/v3.ts sends them.
//
//   node bench/json-client.mjs REST_BASE WS_URL [legacy|v3]
//
// At exit one JSON line goes to stderr: {"frames": N, "code": CLOSE_CODE}.
import { get } from 'node:http';
import WebSocket from 'ws';

const [restBase, wsUrl, api = 'legacy'] = process.argv.slice(2);
if (restBase === undefined || wsUrl === undefined || (api !== 'legacy' && api !== 'v3')) {
  process.stderr.write('usage: node bench/json-client.mjs REST_BASE WS_URL [legacy|v3]\n');
  process.exit(2);
}
/** polo-ws's SUBSCRIBE_BATCH (src/protocol/v3.ts). */
const V3_BATCH = 50;

/** GET url as text; node:http rather than fetch, whose lazy load would cost the baseline startup CPU. */
function getText(url) {
  return new Promise((resolve, reject) => {
    get(url, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk) => (body += chunk));
      response.on('end', () => (response.statusCode === 200 ? resolve(body) : reject(new Error(`HTTP ${response.statusCode}`))));
    }).on('error', reject);
  });
}

const pairs =
  api === 'v3'
    ? JSON.parse(await getText(`${restBase}/markets`)).map((market) => market.symbol)
    : Object.keys(JSON.parse(await getText(`${restBase}/public?command=returnTicker`)));
// The same socket options as polo-ws's Connection, so the ws library does the same work.
const socket = new WebSocket(wsUrl, { maxPayload: 16 * 1024 * 1024, perMessageDeflate: false });
let frames = 0;

socket.on('open', () => {
  if (api === 'v3') {
    for (let i = 0; i < pairs.length; i += V3_BATCH) {
      const symbols = pairs.slice(i, i + V3_BATCH);
      for (const channel of ['ticker', 'trades', 'book_lv2']) socket.send(JSON.stringify({ event: 'subscribe', channel: [channel], symbols }));
    }
    return;
  }
  socket.send(JSON.stringify({ command: 'subscribe', channel: 1002 }));
  for (const pair of pairs) socket.send(JSON.stringify({ command: 'subscribe', channel: pair }));
});
socket.on('message', (data) => {
  JSON.parse(data.toString('utf8'));
  frames++;
});
socket.on('error', (error) => {
  process.stderr.write(`json-client: ${error.message}\n`);
  process.exitCode = 5;
});
socket.on('close', (code) => {
  process.stderr.write(`${JSON.stringify({ frames, code })}\n`);
});
