import { spawn, execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { createReadStream, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { FileError, PoloError } from '../src/errors.js';
import { runReplay } from '../src/feed/replay.js';
import { parseFault, startSimulator, type SimServer } from '../src/sim/index.js';
import { BIN, runCli, type CliResult } from './helpers/run-cli.js';
import { runInProcess } from './helpers/run-in-process.js';

// Tests run concurrently, so each simulator is closed with the file, not after "each" test.
const running: SimServer[] = [];
afterAll(async () => {
  await Promise.all(running.splice(0).map((server) => server.close()));
});

const dir = mkdtempSync(join(tmpdir(), 'polo-ws-hostile-files-'));

/** The v3 simulator, `frames` market frames a connection, then a normal close. */
async function simulator(frames: number, options: { rate?: number; faults?: string[] } = {}): Promise<SimServer> {
  const sim = await startSimulator({ api: 'v3', seed: 5, pairs: 10, rate: options.rate ?? 0, frames, faults: (options.faults ?? []).map(parseFault) });
  running.push(sim);
  return sim;
}

function endpoints(server: SimServer): string[] {
  return ['--rest-url', server.restUrl, '--ws-url', server.wsUrl, '--max-reconnects', '0'];
}

/** What every expected failure looks like: the status, one stderr line, no stack, no NaN date. */
function expectOneError(result: CliResult, status: number, line: RegExp): void {
  expect(result.code, result.stderr).toBe(status);
  expect(result.stderr).toMatch(line);
  expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(result.stderr).not.toMatch(/internal error|\n\s+at |RangeError|NaN/);
}

describe.concurrent('--record: every write checked', () => {
  it('exits 6 at once with the path and reason when the disk is full, stdout flushed', async () => {
    const server = await simulator(100_000, { rate: 200 });
    const started = Date.now();
    const result = await runCli([...endpoints(server), '--record', '/dev/full'], { timeoutMs: 8_000 });
    expectOneError(result, 6, /^polo-ws: error: cannot write the recording \/dev\/full: ENOSPC: no space left on device/);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(result.stdout === '' || result.stdout.endsWith('\n')).toBe(true);
  });

  it('does not hang: demo --duration 3 --record /dev/full exits 6', async () => {
    const result = await runInProcess(['demo', '--duration', '3', '--record', '/dev/full'], { timeoutMs: 8_000 });
    expectOneError(result, 6, /cannot write the recording \/dev\/full: ENOSPC/);
  });

  it('leaves an existing file untouched when the run fails before it starts', async () => {
    const server = await simulator(100);
    const file = join(dir, 'kept.ndjson');
    writeFileSync(file, 'keep me\n');
    expectOneError(await runInProcess([...endpoints(server), '--pairs', 'NOPE', '--record', file]), 2, /unknown pair NOPE/);
    expectOneError(await runInProcess(['--rest-url', 'http://127.0.0.1:1', '--rest-retries', '0', '--record', file]), 3, /127\.0\.0\.1:1/);
    expect(readFileSync(file, 'utf8')).toBe('keep me\n');
  });

  it('exits 6 naming the path when the file cannot be created, once the run starts', async () => {
    const server = await simulator(100);
    const result = await runInProcess([...endpoints(server), '--record', join(dir, 'no-such-dir', 'f.ndjson')]);
    expectOneError(result, 6, /^polo-ws: error: cannot write the recording .*no-such-dir.*ENOENT/);
    expect(result.stdout).toBe('');
  });

  it('holds the feed while the recording cannot keep up, and loses nothing', async () => {
    // About 5 MB to record, over four times the recorder's 1 MiB buffer and the pipe's 64 KiB: held,
    // stdout stands still at about a quarter of its length.
    const server = await simulator(15_000);
    const fifo = join(dir, 'slow.fifo');
    execFileSync('mkfifo', [fifo]);
    // A reader that takes nothing at first: the pipe and the recorder's buffer fill, then the feed must wait.
    const reader = createReadStream(fifo);
    const readerClosed = once(reader, 'close');
    const recorded: Buffer[] = [];
    let stdoutLength = 0;
    let stdoutAtResume = -1;
    const live = runCli([...endpoints(server), '--record', fifo], {
      onSpawn: (child) => {
        child.stdout?.on('data', (chunk: string | Buffer) => (stdoutLength += chunk.length));
        // Read once stdout has stood still for half a second (held, or done) or after 5 s.
        let seen = 0;
        let stillSince = Date.now();
        const started = Date.now();
        const poll = setInterval(() => {
          if (stdoutLength !== seen) [seen, stillSince] = [stdoutLength, Date.now()];
          if ((seen > 0 && Date.now() - stillSince >= 500) || Date.now() - started >= 5_000) {
            clearInterval(poll);
            stdoutAtResume = stdoutLength;
            reader.on('data', (chunk: string | Buffer) => recorded.push(Buffer.from(chunk)));
          }
        }, 50);
      },
    });
    const result = await live;
    await readerClosed;
    expect(result.code, result.stderr).toBe(0);
    // Unheld, the run prints everything before anything is read; held, only what preceded the full buffer.
    expect(stdoutAtResume).toBeGreaterThan(0);
    expect(stdoutAtResume).toBeLessThan(result.stdout.length / 2);
    const file = join(dir, 'slow-copy.ndjson');
    writeFileSync(file, Buffer.concat(recorded));
    const replayed = await runInProcess(['replay', file]);
    expect(replayed.code).toBe(0);
    expect(replayed.stdout).toBe(result.stdout);
  });
});

describe.concurrent('stderr: a reader that leaves', () => {
  /** Runs `command` in bash; its output and the polo-ws status (PIPESTATUS[0]) printed last. */
  function shell(command: string): Promise<{ output: string; status: number }> {
    return new Promise((resolve, reject) => {
      const child = spawn('bash', ['-c', `${command}; echo "status=\${PIPESTATUS[0]}"`], { stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`did not finish: ${output}`));
      }, 9_000);
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
      child.on('close', () => {
        clearTimeout(timer);
        const status = /status=(\d+)\n$/.exec(output);
        resolve({ output, status: status === null ? -1 : Number(status[1]) });
      });
    });
  }

  const polo = (server: SimServer): string => `'${process.execPath}' '${BIN}' ${endpoints(server).join(' ')}`;
  const warnings = ['malformed@5', 'malformed@60', 'malformed@120', 'malformed@180', 'malformed@240'];

  it('2>&1 | head -2 with warnings flowing exits 0, not 1 on an unhandled EPIPE', async () => {
    const server = await simulator(300, { rate: 100, faults: warnings });
    const { output, status } = await shell(`${polo(server)} 2>&1 | head -2`);
    expect(output.split('\n')).toHaveLength(4); // two lines, the status, the final newline
    expect(status).toBe(0);
  });

  it('drops diagnostics once stderr is gone and streams on to the end', async () => {
    const server = await simulator(300, { rate: 100, faults: warnings });
    const file = join(dir, 'stderr-gone.ndjson');
    // stdout to a file, stderr to a reader that leaves after the first warning.
    const { output, status } = await shell(`${polo(server)} --record '${file}' 2>&1 >/dev/null | head -1`);
    expect(output).toMatch(/^polo-ws: warning: bad frame #1 skipped/);
    expect(status).toBe(0);
    // Streamed to the server's normal close: every frame it sent was recorded.
    const frames = readFileSync(file, 'utf8').split('\n').filter((line) => line.includes('"type":"frame"'));
    expect(frames.length).toBeGreaterThan(300);
  });
});

/** A short live recording to build bad files from: its lines, and the start and markets records. */
async function recording(): Promise<string[]> {
  const server = await simulator(60);
  const file = join(dir, `base-${Date.now()}.ndjson`);
  const result = await runInProcess([...endpoints(server), '--record', file]);
  expect(result.code).toBe(0);
  return readFileSync(file, 'utf8').trimEnd().split('\n');
}

/** Replays `file` in this process (text, utc stamps, --top); stdout and stderr text go to `output`. */
function replayIn(file: string, output: string[] = []): Promise<number> {
  const stdout = new PassThrough().setEncoding('utf8').on('data', (chunk: string) => output.push(chunk));
  return runReplay(
    { file, speed: undefined, pairs: undefined, channels: undefined, depth: 1, top: true, format: 'text', timestamp: 'utc', maxLines: Infinity },
    { stdout, stderr: (text) => output.push(text), now: Date.now, signal: new AbortController().signal },
  );
}

function write(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

// One at a time: these mostly compute (replays, large files), they do not wait.
describe('replay: a hostile or broken recording', () => {
  it('exits 6 with FILE:LINE: reason for each line of the wrong shape', async () => {
    const [start, markets] = (await recording()) as [string, string];
    const frame = (fields: string): string => `{"type":"frame",${fields}}`;
    const cases: [string[], RegExp][] = [
      [[start, markets, frame('"at":1,"conn":1,"data":5')], /:3: bad frame record: data: expected the frame's text/],
      [[start, '{"type":"bogus"}'], /:2: unknown record type "bogus"$/],
      [[start, markets, frame('"at":"soon","conn":1,"data":"{}"')], /:3: bad frame record: at: expected a time/],
      [[start, markets, frame('"at":1e400,"conn":1,"data":"{}"')], /:3: bad frame record: at: expected a time/],
      [[start, markets, frame('"at":1e15,"conn":1,"data":"{}"')], /:3: bad frame record: at: expected a time before year 10000/],
      [[start, markets, frame('"at":1.5,"conn":1,"data":"{}"')], /:3: bad frame record: at: expected a time in whole ms/],
      [[start, markets, frame('"at":1,"conn":0,"data":"{}"')], /:3: bad frame record: conn: /],
      [['{"type":"start","api":"v4","pairs":null,"channels":["book"]}'], /:1: bad start record: api: expected "v3" or "legacy"/],
      [['{"type":"start","api":"v3","pairs":[5],"channels":["book"]}'], /:1: bad start record: pairs\.0: /],
      [['{"type":"start","api":"v3","pairs":null,"channels":"book"}'], /:1: bad start record: channels: /],
      [['{"type":"start","api":"v3","pairs":null,"channels":["orders"]}'], /:1: bad start record: channels\.0: expected ticker, book or trades/],
      [[start, '{"type":"markets","at":1,"pairs":["BTC_USDT\\n2026 TRADE"],"byId":{},"frozen":[]}'], /:2: bad markets record: pairs\.0: expected a pair name/],
      [[start, '{"type":"markets","at":1,"pairs":["BTC_USDT"],"byId":[],"frozen":[]}'], /:2: bad markets record: byId: /],
      [[start, '{"type":"markets","at":1,"pairs":["BTC_USDT"],"byId":{},"frozen":"BTC_USDT"}'], /:2: bad markets record: frozen: /],
      [[start, '{"type":"markets","pairs":["BTC_USDT"],"byId":{},"frozen":[]}'], /:2: bad markets record: at: /],
      [[start, markets, '[1,2,3]'], /:3: not a recording line \(no "type"\)$/],
      [['{"type":"__proto__"}'], /:1: unknown record type "__proto__"/],
      [[start, start], /:2: a second start record$/],
      [[markets], /:1: a record before the start record/],
    ];
    for (const [lines, reason] of cases) {
      const file = write('bad.ndjson', `${lines.join('\n')}\n`);
      const error = await replayIn(file).then(() => undefined, (e: unknown) => e);
      expect(error, reason.source).toBeInstanceOf(FileError);
      expect((error as FileError).code).toBe('POLO_ERR_FILE');
      expect((error as FileError).message).toMatch(new RegExp(`^${file}${reason.source}`));
    }
    // The same through the CLI: one stderr line, status 6, the file's text escaped (U+009B is a terminal's CSI).
    const file = write('bad.ndjson', `${start}\n{"type":"bogus\\u009b2J"}\n`);
    expectOneError(await runInProcess(['replay', file]), 6, new RegExp(`^polo-ws: error: ${file}:2: unknown record type "bogus\\\\x9b2J"\n$`));
  });

  // In this process too: these tests run one at a time, after the concurrent ones above.
  it('exits 6 for a directory, a file without newlines and a large file that is no recording', async () => {
    expectOneError(await runInProcess(['replay', dir]), 6, /^polo-ws: error: cannot read the recording .*: EISDIR/);
    expectOneError(await runInProcess(['replay', '/dev/zero'], { timeoutMs: 9_000 }), 6, /^polo-ws: error: \/dev\/zero:1: a line longer than 100 MiB; is it a polo-ws --record file\?\n$/);
    expect(statSync(process.execPath).size).toBeGreaterThan(10_000_000);
    expectOneError(await runInProcess(['replay', process.execPath]), 6, /:1: not a recording line \(not JSON\); is it a polo-ws --record file\?\n$/);
  });

  it('exits 6 for a recording that holds far more frames for a market refresh than a live run could', async () => {
    // Live, input pauses once 16 MiB wait for a refresh; this file never writes the markets record they wait for.
    const file = join(dir, 'held.ndjson');
    const frame = (symbol: string, i: number): string =>
      JSON.stringify({ type: 'frame', at: 1_700_000_000_000 + i, conn: 1, data: JSON.stringify({ channel: 'ticker', data: [{ symbol, close: '1', high: '1', low: '1', amount: '1', quantity: '1', dailyChange: '0', pad: 'x'.repeat(4000) }] }) });
    const head = [
      JSON.stringify({ type: 'start', api: 'v3', pairs: null, channels: ['ticker'] }),
      JSON.stringify({ type: 'markets', at: 1_700_000_000_000, pairs: ['BTC_USDT'], byId: {}, frozen: [] }),
    ];
    const body = Array.from({ length: 13_000 }, (_, i) => frame(i === 0 ? 'NEW_USDT' : 'BTC_USDT', i));
    writeFileSync(file, `${[...head, ...body].join('\n')}\n`);
    expectOneError(await runInProcess(['replay', file], { timeoutMs: 9_000 }), 6, /held\.ndjson:\d+: over 48 MiB of frames wait for a markets record that a live run would have written/);
  });

  it('replays a recording cut mid-line to its last whole line, with a warning and status 0', async () => {
    const lines = await recording();
    const whole = write('whole.ndjson', `${lines.join('\n')}\n`);
    const cut = write('cut.ndjson', `${lines.join('\n')}\n${(lines.at(-1) as string).slice(0, 40)}`);
    const expected = await runInProcess(['replay', whole]);
    const result = await runInProcess(['replay', cut]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(expected.stdout);
    expect(result.stderr).toBe(
      `polo-ws: warning: ${cut}:${lines.length + 1}: the last line is cut short (no newline, not JSON), as a crash or a full disk leaves it; replayed up to line ${lines.length}\n`,
    );
  });

  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)('--speed: %s ends the wait for the next frame at once (within 3 s), with the summary', async (signal, status) => {
    const lines = await recording();
    // Ten frames on time, then the rest a day later.
    let frames = 0;
    const later = lines.map((line) => {
      if (!line.startsWith('{"type":"frame"') || ++frames <= 10) return line;
      return line.replace(/"at":(\d+)/, (_, at: string) => `"at":${Number(at) + 86_400_000}`);
    });
    const file = write(`later-${signal}.ndjson`, `${later.join('\n')}\n`);
    let sentAt = 0;
    const result = await runCli(['replay', file, '--speed', '1'], {
      timeoutMs: 8_000,
      // Once the first ten frames are printed the replay waits a day: signal it then (a fixed delay
      // could land before a slow start has installed its signal handlers).
      onSpawn: (child) =>
        child.stdout?.once('data', () =>
          setTimeout(() => {
            sentAt = Date.now();
            child.kill(signal);
          }, 300),
        ),
    });
    expect(Date.now() - sentAt).toBeLessThan(3_000);
    expect(result.code).toBe(status);
    expect(result.stderr).toMatch(new RegExp(`^polo-ws: stopped by ${signal}: 10 frames, \\d+ lines, 0 gaps, 0 resyncs, 0 reconnects, 0 bad frames, 0 resync timeouts\\n$`));
    expect(result.stdout.length).toBeGreaterThan(0);
  });

  it('takes --speed only as a positive plain decimal', async () => {
    for (const speed of ['0x10', '1e3', 'Infinity', '0', '-1']) {
      const result = await runInProcess(['replay', '/dev/null', '--speed', speed]);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(new RegExp(`--speed.*expected a positive decimal number \\(e\\.g\\. 10 or 0\\.5\\), got "${speed}"`));
    }
  });

  it('never fails but with a PoloError, whatever bytes a recording is mutated to', async () => {
    const lines = await recording();
    const text = `${lines.join('\n')}\n`;
    let seed = 7;
    const random = (n: number): number => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed % n;
    };
    const pieces = ['"', '\\', '{', '}', '[', ']', ',', ':', '\n', '1e400', '-1', 'null', '"x"', '\u0000', '\u001b[2J', '9'.repeat(30)];
    for (let i = 0; i < 150; i++) {
      let mutated = text;
      for (let k = 0; k <= random(3); k++) {
        const at = random(mutated.length);
        mutated = mutated.slice(0, at) + (pieces[random(pieces.length)] as string) + mutated.slice(at + random(4));
      }
      const file = write('mutated.ndjson', mutated);
      const output: string[] = [];
      const outcome = await replayIn(file, output).then(
        (status) => status,
        (error: unknown) => error,
      );
      if (typeof outcome !== 'number') expect(outcome, `mutation ${i}`).toBeInstanceOf(PoloError);
      else expect(outcome).toBe(0);
      expect(output.join('')).not.toMatch(/NaN/);
    }
  });
});
