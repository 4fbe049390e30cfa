import { describe, expect, it, type TestContext } from 'vitest';
import { parseFault, startSimulator, type SimOptions, type SimServer } from '../src/sim/index.js';
import { untimed, type CliResult } from './helpers/run-cli.js';
import { runInProcess } from './helpers/run-in-process.js';

/**
 * polo-ws against the built-in v3 simulator's real-exchange faults, end to end: what the simulator
 * says a correct client prints is what polo-ws prints. Each test has its own simulator and run (the
 * CLI in this process, run() as main.ts calls it: nothing here is the process's own), so they run
 * concurrently.
 */

type Cleanup = TestContext['onTestFinished'];

async function simulator(cleanup: Cleanup, options: Partial<SimOptions>): Promise<SimServer> {
  const sim = await startSimulator({ api: 'v3', seed: 21, pairs: 10, ...options });
  cleanup(() => sim.close());
  return sim;
}

/** Runs polo-ws against `sim`; stopped as SIGINT does after `sigintAfterMs` when given, and when the test ends. */
function run(cleanup: Cleanup, sim: SimServer, args: string[], sigintAfterMs?: number): Promise<CliResult> {
  return runInProcess(['--rest-url', sim.restUrl, '--ws-url', sim.wsUrl, ...args], {
    timeoutMs: 15_000,
    onStart: (stop) => {
      const timer = sigintAfterMs === undefined ? undefined : setTimeout(() => stop(), sigintAfterMs);
      cleanup(() => {
        clearTimeout(timer);
        stop();
      });
    },
  });
}

const expectedOf = (sim: SimServer): string[] => sim.connections().flatMap((connection) => connection.expectedLines());

describe.concurrent('polo-ws against the v3 simulator`s real-exchange faults', () => {
  it('backs off against close-after-ack (acks, "Subscription failed", close 1001) instead of storming', async ({ onTestFinished }) => {
    const sim = await simulator(onTestFinished, { faults: [parseFault('close-after-ack')] });
    const result = await run(onTestFinished, sim, [], 6000);
    expect(result.code).toBe(130);
    // 0.25-0.5 s, then 0.5-1, 1-2, 2-4: no more than 5 connections in 6 s.
    expect(sim.connections().length).toBeGreaterThanOrEqual(3);
    expect(sim.connections().length).toBeLessThanOrEqual(5);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/closed the connection \(code 1001/);
  });

  it('subscribes a market listed 3 s after start-up (new-listing) with --markets-refresh 2 and prints it exactly', async ({ onTestFinished }) => {
    const sim = await simulator(onTestFinished, { rate: 200, frames: 1600, faults: [parseFault('new-listing:3000')] });
    const listed = (await (await fetch(`${sim.restUrl}/markets`)).json()) as Array<{ symbol: string }>;
    const result = await run(onTestFinished, sim, ['--markets-refresh', '2', '--max-reconnects', '0']);
    expect(result.code).toBe(0);
    const all = (await (await fetch(`${sim.restUrl}/markets`)).json()) as Array<{ symbol: string }>;
    const late = all.map((m) => m.symbol).filter((symbol) => !listed.some((m) => m.symbol === symbol));
    expect(late).toHaveLength(1);
    const lines = untimed(result.stdout);
    expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^${late[0]} book: asks`)));
    expect(lines).toEqual(expectedOf(sim));
    expect(result.stderr).toMatch(new RegExp(`new pair listed: ${late[0]}; subscribing`));
  });

  it('gets a refused resync (refuse-resubscribe) back on the same connection within --resync-timeout 2', async ({ onTestFinished }) => {
    const sim = await simulator(onTestFinished, { rate: 200, frames: 1400, faults: [parseFault('gap@100:ETH_BTC'), parseFault('refuse-resubscribe')] });
    const result = await run(onTestFinished, sim, ['--resync-timeout', '2', '--max-reconnects', '0']);
    expect(result.code).toBe(0);
    expect(sim.connections()).toHaveLength(1);
    const lines = untimed(result.stdout);
    expect(lines.filter((line) => line.startsWith('ETH_BTC book: asks'))).toHaveLength(2);
    expect(lines).toEqual(expectedOf(sim));
    expect(result.stderr).toMatch(/no fresh ETH_BTC snapshot within 2 s of resubscribing \(server said: "Already subscribed"\): resubscribing again \(try 2 of 3\)/);
  });

  it('replaces a connection that only pongs (data-stall) after --data-timeout, and prints both connections exactly', async ({ onTestFinished }) => {
    const sim = await simulator(onTestFinished, { rate: 200, frames: 600, faults: [parseFault('data-stall@200')] });
    const started = Date.now();
    const result = await run(onTestFinished, sim, ['--data-timeout', '2', '--max-reconnects', '1']);
    expect(result.code).toBe(0);
    expect(sim.connections()).toHaveLength(2);
    expect(Date.now() - started).toBeLessThan(12_000);
    expect(untimed(result.stdout)).toEqual(expectedOf(sim));
    expect(result.stderr).toMatch(/no market data from ws:\S+ for 2 s \(only acks, pongs or errors\): replacing the connection/);
  });
});
