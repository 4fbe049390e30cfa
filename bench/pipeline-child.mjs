// Row (b): polo-ws's frame-to-line stack (createChain + the legacy adapter) in-process, writing to
// a sink that discards, fed from a --record file held in memory (each frame as text and as the
// UTF-8 a websocket delivers). Run in a fresh process so its RSS compares with the other rows; CPU
// and wall are taken around the feeding alone (reading and parsing the recording is not counted).
//
//   node bench/pipeline-child.mjs RECORDING
//
// Prints one JSON line on stdout: {cpu, user, sys, wall, rssMb, rssBeforeMb, frames, lines}.
import { readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { createChain } from '../dist/feed/chain.js';
import { marketsOf } from '../dist/feed/recording.js';
import { createProtocol } from '../dist/protocol/index.js';

const file = process.argv[2];
if (file === undefined) {
  process.stderr.write('usage: node bench/pipeline-child.mjs RECORDING\n');
  process.exit(2);
}

/** The recording as the replay would see it: start, the first market map, every frame. */
function load(path) {
  let start;
  let markets;
  const texts = [];
  const times = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (line === '') continue;
    const record = JSON.parse(line);
    if (record.type === 'start') start = record;
    else if (record.type === 'markets') markets ??= marketsOf(record);
    else if (record.type === 'frame') {
      texts.push(record.data);
      times.push(record.at);
    }
  }
  if (start === undefined || markets === undefined) throw new Error(`${path}: not a polo-ws recording`);
  return { start, markets, texts, times };
}

/** The CLI's stdout to /dev/null minus the syscall: strings still become Buffers (decodeStrings), as in a SyncWriteStream. */
function nullSink() {
  return new Writable({
    highWaterMark: 1 << 20,
    write(_chunk, _encoding, callback) {
      callback();
    },
  });
}

const { start, markets, texts, times } = load(file);
// Each frame's UTF-8 beside its text, as a websocket message arrives (src/feed/connection.ts).
const bytes = texts.map((text) => Buffer.from(text, 'utf8'));
const adapter = createProtocol(start.api, 'http://bench.invalid');
adapter.setMarkets(markets);
let drained;
let release;
const output = createChain(
  adapter,
  // The CLI's defaults, so the lines are the ones row (c) prints.
  { depth: 1, top: false, channels: new Set(start.channels), format: 'text', timestamp: 'local', maxLines: Number.POSITIVE_INFINITY },
  { stdout: nullSink(), stderr: (text) => process.stderr.write(text), now: Date.now },
  {
    onBlocked: () => (drained = new Promise((resolve) => (release = resolve))),
    onDrained: () => {
      drained = undefined;
      release?.();
    },
    onEnd: () => undefined,
    refreshMarkets: () => Promise.resolve(false),
    resync: () => undefined,
  },
);

const rssBefore = process.memoryUsage().rss;
const cpuBefore = process.cpuUsage();
const wallBefore = performance.now();
for (let i = 0; i < texts.length; i++) {
  output.pipeline.receive(texts[i], times[i], bytes[i]);
  if (drained !== undefined) await drained;
}
await output.pipeline.idle();
await output.sink.flush();
const cpu = process.cpuUsage(cpuBefore);
const wall = (performance.now() - wallBefore) / 1000;
process.stdout.write(
  `${JSON.stringify({
    cpu: (cpu.user + cpu.system) / 1e6,
    user: cpu.user / 1e6,
    sys: cpu.system / 1e6,
    wall,
    rssMb: process.resourceUsage().maxRSS / 1024,
    rssBeforeMb: rssBefore / 1024 / 1024,
    frames: texts.length,
    lines: output.sink.lines,
  })}\n`,
);
