// What one JetStream message costs a Node process at the least, written as polo-ws writes them
// (src/bus/publisher.ts): an event's JSON, an HPUB command with Nats-Msg-Id and
// Nats-Expected-Last-Msg-Id, many commands a write, one in 64 asking for JetStream's answer. No
// feed, no books, no stdout: the floor under (c+p) - (c). Issue 12's "(c+p) <= 1.5x (c)" leaves
// 0.5 x (c) for publishing; the legacy burst's (c) is about 1.2 s for its 497,204 messages.
//
//   node bench/publish-floor.mjs [messages]     (default 497204; needs nats-server, see nats.mjs)
//
// Prints the CPU of the publishing loop alone (connection and stream set up before it) per message.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, createInbox } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { findNatsServer, startNats } from './nats.mjs';

const MESSAGES = Number(process.argv[2] ?? 497_204);
const ASK_EVERY = 64;
const WRITE_CHARS = 64 * 1024;
/** Answers awaited at once before the loop waits (polo-ws holds the feed at 8192 messages). */
const ASKED_IN_FLIGHT = 8192 / ASK_EVERY;

const server = findNatsServer();
if (server === undefined) {
  process.stderr.write('publish-floor: no nats-server found (apt-get install nats-server)\n');
  process.exit(2);
}
const nats = await startNats(server, mkdtempSync(join(tmpdir(), 'publish-floor-')));
const nc = await connect({ servers: nats.url });
// As polo-ws creates it (src/bus/stream.ts): file storage, de-duplication by message id.
await (await jetstreamManager(nc)).streams.add({ name: 'FLOOR', subjects: ['poloniex.>'], max_age: 24 * 3600 * 1e9, duplicate_window: 120 * 1e9 });
const protocol = nc.protocol;
const inbox = createInbox();
let answered = 0;
let refused = 0;
let wake;
nc.subscribe(`${inbox}.*`, {
  callback: (_error, msg) => {
    if (!(msg.data.length > 10 && msg.data[2] === 0x73)) refused++;
    answered++;
    wake?.();
  },
});
await nc.flush();

const pairs = Array.from({ length: 100 }, (_, i) => `PAIR${i}_USDT`);
const before = process.cpuUsage();
let text = '';
let asked = 0;
let last;
for (let i = 0; i < MESSAGES; i++) {
  const pair = pairs[i % pairs.length];
  const seq = 800_000_000 + i;
  const data = `{"pair":"${pair}","seq":${seq},"at":${1_764_000_000_000 + i},"items":[["bid","0.0${(12_345 + i) % 99_999}","${(i % 977) / 8}"]]}`;
  const id = `${pair}:u:${seq}`;
  const head = last === undefined ? `NATS/1.0\r\nNats-Msg-Id: ${id}\r\n\r\n` : `NATS/1.0\r\nNats-Msg-Id: ${id}\r\nNats-Expected-Last-Msg-Id: ${last}\r\n\r\n`;
  const ask = i % ASK_EVERY === ASK_EVERY - 1 || i === MESSAGES - 1;
  text += `HPUB poloniex.book.${pair}${ask ? ` ${inbox}.${i}` : ''} ${head.length} ${head.length + data.length}\r\n${head}${data}\r\n`;
  last = id;
  if (ask) asked++;
  if (text.length >= WRITE_CHARS || i === MESSAGES - 1) {
    protocol.sendCommand(Buffer.from(text, 'latin1'));
    text = '';
    while (asked - answered > ASKED_IN_FLIGHT) await new Promise((resolve) => (wake = resolve));
  }
}
while (answered < asked) await new Promise((resolve) => (wake = resolve));
const used = process.cpuUsage(before);
const seconds = (used.user + used.system) / 1e6;
await nc.close();
await nats.stop();
console.log(
  `${MESSAGES} messages: ${seconds.toFixed(2)} s of CPU, ${((seconds * 1e6) / MESSAGES).toFixed(2)} us a message` +
    `${refused > 0 ? ` (${refused} answers were not acks: is a stream capturing poloniex.>?)` : ''}`,
);
