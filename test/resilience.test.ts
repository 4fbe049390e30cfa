import { spawn } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { StatsReporter } from '../src/feed/stats.js';
import { startSimulator, type SimServer } from '../src/sim/index.js';
import { BIN, runCli, untimed } from './helpers/run-cli.js';
import { runInProcess } from './helpers/run-in-process.js';

// Tests run concurrently, so each simulator is closed with the file, not after "each" test.
const running: SimServer[] = [];
afterAll(async () => {
  await Promise.all(running.splice(0).map((server) => server.close()));
});

async function simulator(options: Parameters<typeof startSimulator>[0]): Promise<SimServer> {
  const sim = await startSimulator(options);
  running.push(sim);
  return sim;
}

const STATS = /^polo-ws: stats: \d+ frames\/s, \d+ lines\/s, \d+ pairs live, 0 gaps, 0 resyncs, 0 reconnects, 0 bad frames, 0 resync timeouts$/;

const legacyArgs = (s: SimServer): string[] => ['--api', 'legacy', '--rest-url', s.restUrl, '--ws-url', s.wsUrl];

/** Runs polo-ws into a shell pipeline (e.g. "head -n 5"); resolves polo-ws's own exit status and the output. */
function pipeInto(args: string[], reader: string, timeoutMs = 20_000): Promise<{ status: string; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const quoted = args.map((a) => `'${a}'`).join(' ');
    const script = `'${process.execPath}' '${BIN}' ${quoted} 2>"$ERR" | ${reader}; echo "status=\${PIPESTATUS[0]}" >&2`;
    const child = spawn('bash', ['-c', `ERR=$(mktemp); ${script}; cat "$ERR" >&2; rm -f "$ERR"`], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`pipeline did not finish: ${err}`));
    }, timeoutMs);
    child.on('close', () => {
      clearTimeout(timer);
      const status = /status=(\d+)/.exec(err)?.[1] ?? '?';
      resolve({ status, out, err: err.replace(/status=\d+\n/, '') });
    });
  });
}

describe.concurrent('resilience', () => {
  it.each(['legacy', 'v3'] as const)('replaces a %s connection that goes silent with its socket open, and completes the stream', async (api) => {
    const sim = await simulator({ api, seed: 5, pairs: 20, rate: 0, frames: 1200, faults: [{ kind: 'silence', atFrame: 400, ms: 6000 }] });
    // When the silence began (frame 400 out) and when the replacement connected, from the simulator's
    // log: timed from the silence, not from a process start that a loaded machine makes slow.
    let silentAt: number | undefined;
    let replacedAt: number | undefined;
    const poll = setInterval(() => {
      const [first, second] = sim.connections();
      if (silentAt === undefined && (first?.framesSent ?? 0) >= 400) silentAt = Date.now();
      if (replacedAt === undefined && second !== undefined) replacedAt = Date.now();
    }, 20);
    // A process of its own: with a 1 s heartbeat timeout, a client sharing the simulator's event loop
    // could, after a stall of that loop on a loaded machine, drop its connection as stale with frames
    // the simulator had sent still unread (fewer lines than the simulator's log).
    const result = await runCli(['--api', api, '--rest-url', sim.restUrl, '--ws-url', sim.wsUrl, '--heartbeat-timeout', '1', '--max-reconnects', '1']).finally(() =>
      clearInterval(poll),
    );
    expect(result.code).toBe(0);
    // Replaced about 1 s into the 6 s silence, before it ended.
    expect((replacedAt ?? Number.POSITIVE_INFINITY) - (silentAt ?? 0)).toBeLessThan(6000);
    expect(result.stderr).toMatch(/no data from ws:\/\/127\.0\.0\.1:\d+\S* for 1 s: replacing the connection/);
    const [first, second] = sim.connections();
    expect(untimed(result.stdout)).toEqual([...(first?.expectedLines() ?? []), ...(second?.expectedLines() ?? [])]);
  });

  it('ends quietly with status 0 when the reader leaves (polo-ws | head -n 5)', async () => {
    const sim = await simulator({ api: 'legacy', seed: 5, pairs: 20, rate: 0 });
    const { status, out, err } = await pipeInto(legacyArgs(sim), 'head -n 5');
    expect(out.trimEnd().split('\n')).toHaveLength(5);
    expect(err).toBe('');
    expect(status).toBe('0');
  });

  it('holds the feed back for a reader that stalls, and every line still arrives', async () => {
    // Some 3.6 MB of lines: far more than the pipe (64 KiB) and stdout's buffer take while the reader sleeps.
    const sim = await simulator({ api: 'legacy', seed: 9, pairs: 50, rate: 0, frames: 20_000 });
    const { status, out } = await pipeInto([...legacyArgs(sim), '--max-reconnects', '0'], '(sleep 2; wc -l)', 60_000);
    expect(status).toBe('0');
    expect(Number(out.trim())).toBe(sim.connections()[0]?.expectedLines().length);
  });

  it('--stats 0.5 writes status lines to stderr twice a second and nothing extra to stdout', async () => {
    const sim = await simulator({ api: 'legacy', seed: 5, pairs: 10, rate: 200 });
    // Stopped as SIGINT does once a stats line shows every pair live, not at a fixed time: a loaded machine starts slower.
    const statsAt: number[] = [];
    const result = await runInProcess([...legacyArgs(sim), '--stats', '0.5'], {
      onStderr: (text, stop) => {
        if (text.includes('stats:')) statsAt.push(Date.now());
        if (statsAt.length >= 2 && text.includes(' 10 pairs live,')) stop();
      },
    });
    expect(result.code).toBe(130);
    // Stats lines (the first ones may come before every pair is live), then the summary, nothing else.
    const stderr = result.stderr.trimEnd().split('\n');
    const summary = stderr.pop();
    for (const line of stderr) expect(line).toMatch(STATS);
    expect(stderr.filter((line) => line.includes(' 10 pairs live,')).length).toBeGreaterThanOrEqual(1);
    expect(summary).toMatch(/^polo-ws: stopped by SIGINT: \d+ frames, /);
    // Half a second apart: the default interval would put them 5 s apart.
    expect((statsAt[1] ?? Infinity) - (statsAt[0] ?? 0)).toBeLessThan(4_500);
    // stdout is the feed's lines alone, in order, as the simulator says a correct client prints them.
    const lines = untimed(result.stdout);
    expect(lines.length).toBeGreaterThan(10);
    expect(lines).toEqual(sim.connections()[0]?.expectedLines().slice(0, lines.length));
  });
});

describe('StatsReporter', () => {
  it('reports rates since its last line', () => {
    let now = 0;
    let totals = { frames: 0, lines: 0, gaps: 1, resyncs: 1, reconnects: 0, badFrames: 2, livePairs: 3, resyncTimeouts: 1 };
    const out: string[] = [];
    const stats = new StatsReporter(() => totals, (line) => out.push(line), () => now, 5000);
    now = 1000;
    totals = { ...totals, frames: 500, lines: 1500 };
    stats.tick();
    expect(out).toEqual(['stats: 500 frames/s, 1500 lines/s, 3 pairs live, 1 gaps, 1 resyncs, 0 reconnects, 2 bad frames, 1 resync timeouts']);
  });
});
