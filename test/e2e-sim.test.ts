import { describe, expect, it, type TestContext } from 'vitest';
import { parseFault, startSimulator, type SimApi } from '../src/sim/index.js';
import { runCli, untimed } from './helpers/run-cli.js';
import { runInProcess } from './helpers/run-in-process.js';

// Each test has its own simulator and run, closed when it ends, so they run concurrently. The first
// is the built bin/polo-ws.js, a process; the others run the CLI in this process (run(), as main.ts).
describe.concurrent.each<SimApi>(['legacy', 'v3'])('polo-ws against the built-in simulator (%s)', (api) => {
  async function streamFromSim(
    onTestFinished: TestContext['onTestFinished'],
    simOptions: Parameters<typeof startSimulator>[0],
    args: string[] = [],
    where: 'process' | 'in process' = 'in process',
  ) {
    const sim = await startSimulator({ api, seed: 11, pairs: 30, rate: 0, frames: 3000, ...simOptions });
    onTestFinished(() => sim.close());
    const argv = ['--api', api, '--rest-url', sim.restUrl, '--ws-url', sim.wsUrl, '--max-reconnects', '0', ...args];
    const result = await (where === 'process'
      ? runCli(argv, { timeoutMs: 30_000 })
      : runInProcess(argv, { timeoutMs: 30_000, onStart: (stop) => onTestFinished(() => stop()) }));
    return { ...result, lines: untimed(result.stdout), sim };
  }

  it('bin/polo-ws.js prints exactly the lines the simulator says it sent, and exits 0 on its normal close', async ({ onTestFinished }) => {
    const { code, stderr, lines, sim } = await streamFromSim(onTestFinished, {}, [], 'process');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const [connection] = sim.connections();
    expect(connection?.closedNormally).toBe(true);
    const expected = connection?.expectedLines() ?? [];
    expect(expected.length).toBeGreaterThan(3000);
    expect(lines).toEqual(expected);
    if (api === 'v3') {
      // The real feed's shapes reach the output as sent: quantities with trailing zeros, levels leaving the 20-level window.
      expect(lines.some((line) => /,size=\d+\.\d*0$/.test(line))).toBe(true);
      expect(lines.some((line) => line.startsWith('Remove '))).toBe(true);
    }
  });

  it('prints --depth levels of every snapshot as the simulator expects', async ({ onTestFinished }) => {
    const { code, lines, sim } = await streamFromSim(onTestFinished, { frames: 500, seed: 3 }, ['--depth', '5']);
    expect(code).toBe(0);
    expect(lines).toEqual(sim.connections()[0]?.expectedLines(5));
  });

  it('survives gaps, a duplicate, malformed frames and an unknown pair with every good line printed', async ({ onTestFinished }) => {
    const faults = ['gap@400', 'duplicate@600', 'malformed@800', 'unknown-pair@1000', 'gap@1500', 'malformed@2000'].map(parseFault);
    const { code, stderr, lines, sim } = await streamFromSim(onTestFinished, { faults });
    expect(code).toBe(0);
    expect(lines).toEqual(sim.connections()[0]?.expectedLines());
    expect(stderr.match(/sequence gap in /g)).toHaveLength(2);
    expect(stderr).toMatch(/bad frame #1 skipped \(not JSON\)/);
    expect(stderr).toMatch(/frame for unknown pair (id )?\S+ skipped/);
    expect(stderr).not.toMatch(/^\s+at /m);
  });

  it('reconnects after a cut connection and prints both connections completely, nothing stale', async ({ onTestFinished }) => {
    const { code, lines, sim } = await streamFromSim(onTestFinished, { frames: 1500, faults: [parseFault('cut@700')] }, ['--max-reconnects', '1']);
    expect(code).toBe(0);
    const [first, second] = sim.connections();
    expect(first?.closedNormally).toBe(false);
    expect(lines).toEqual([...(first?.expectedLines() ?? []), ...(second?.expectedLines() ?? [])]);
  });
});
