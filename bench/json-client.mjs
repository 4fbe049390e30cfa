// The parse-only baseline: the least a client of the legacy feed must do. It fetches the REST
// ticker map, subscribes exactly as polo-ws does (the ticker channel, then every pair), JSON.parses
// each frame and nothing else, and exits when the server closes.
//
//   node bench/json-client.mjs REST_BASE WS_URL
//
// At exit one JSON line goes to stderr: {"frames": N, "code": CLOSE_CODE}.
import { get } from 'node:http';
import WebSocket from 'ws';

const [restBase, wsUrl] = process.argv.slice(2);
if (restBase === undefined || wsUrl === undefined) {
  process.stderr.write('usage: node bench/json-client.mjs REST_BASE WS_URL\n');
  process.exit(2);
}

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

const pairs = Object.keys(JSON.parse(await getText(`${restBase}/public?command=returnTicker`)));
// The same socket options as polo-ws's Connection, so the ws library does the same work.
const socket = new WebSocket(wsUrl, { maxPayload: 16 * 1024 * 1024, perMessageDeflate: false });
let frames = 0;

socket.on('open', () => {
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
