import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, type TestContext } from 'vitest';
import { parseFault, startSimulator, type SimApi, type SimOptions, type SimServer } from '../src/sim/index.js';
import { runInProcess } from './helpers/run-in-process.js';

/** A simulator closed when the test ends (each test its own: they run concurrently). */
async function simulator(onTestFinished: TestContext['onTestFinished'], options: Partial<SimOptions>): Promise<SimServer> {
  const sim = await startSimulator(options);
  onTestFinished(() => sim.close());
  return sim;
}

const dir = mkdtempSync(join(tmpdir(), 'polo-ws-record-'));

describe.concurrent.each<SimApi>(['v3', 'legacy'])('--record and replay (%s)', (api) => {
  // The live run and the replays run in this process (run(), as main.ts calls it).
  it('replays a recording to the same bytes the live run printed, gaps, bad frames and a reconnect included', async ({ onTestFinished }) => {
    const faults = ['gap@300', 'unknown-pair@500', 'malformed@700', 'cut@1200'].map(parseFault);
    const sim = await simulator(onTestFinished, { api, seed: 21, pairs: 25, rate: 0, frames: 2000, faults });
    const file = join(dir, `${api}.ndjson`);
    const live = await runInProcess(['--api', api, '--rest-url', sim.restUrl, '--ws-url', sim.wsUrl, '--max-reconnects', '1', '--record', file, '--top'], {
      onStart: (stop) => onTestFinished(() => stop()),
    });
    expect(live.code).toBe(0);
    expect(live.stdout.length).toBeGreaterThan(10_000);
    const replayed = await runInProcess(['replay', file, '--top']);
    expect(replayed.code).toBe(0);
    expect(replayed.stdout).toBe(live.stdout);
    const records = readFileSync(file, 'utf8').trimEnd().split('\n').map((line) => JSON.parse(line) as { type: string; conn?: number });
    expect(records[0]).toMatchObject({ type: 'start', api });
    expect(new Set(records.filter((r) => r.type === 'frame').map((r) => r.conn))).toEqual(new Set([1, 2]));
    // Each connection's end is recorded in band, as the pipeline took it.
    expect(records.filter((r) => r.type === 'disconnect').map((r) => r.conn)).toEqual([1, 2]);
    // A recording made before disconnect records replays the same: a new connection number implies one.
    const older = join(dir, `${api}-older.ndjson`);
    writeFileSync(older, readFileSync(file, 'utf8').split('\n').filter((line) => !line.includes('"type":"disconnect"')).join('\n'));
    expect((await runInProcess(['replay', older, '--top'])).stdout).toBe(live.stdout);
  });
});

describe.concurrent('replay options and errors', () => {
  it('keeps the recorded --pairs selection, and prints JSON from a recording too', async ({ onTestFinished }) => {
    const sim = await simulator(onTestFinished, { api: 'v3', seed: 4, pairs: 10, rate: 0, frames: 300 });
    const file = join(dir, 'pairs.ndjson');
    const live = await runInProcess(['--rest-url', sim.restUrl, '--ws-url', sim.wsUrl, '--max-reconnects', '0', '--pairs', 'BTC_USDT,ETH_BTC', '--record', file]);
    expect(live.code).toBe(0);
    const replayed = await runInProcess(['replay', file]);
    expect(replayed.stdout).toBe(live.stdout);
    const json = await runInProcess(['replay', file, '--format', 'json', '--speed', '1000']);
    const objects = json.stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as { pair: string });
    expect(objects).toHaveLength(live.stdout.trimEnd().split('\n').length);
    expect(new Set(objects.map((o) => o.pair))).toEqual(new Set(['BTC_USDT', 'ETH_BTC']));
  });

  it('exits 6 with one line for a recording it cannot read or use', async () => {
    const notRecording = join(dir, 'not-a-recording.txt');
    writeFileSync(notRecording, 'hello\n');
    for (const file of [join(dir, 'missing.ndjson'), notRecording]) {
      const result = await runInProcess(['replay', file]);
      expect(result.code, file).toBe(6);
      expect(result.stderr).toMatch(/^polo-ws: error: .*(cannot read the recording|not a recording line)/);
      expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
    }
  });

  it('exits 6 when --record cannot write its file, once the market list is in and the run starts', async ({ onTestFinished }) => {
    const sim = await simulator(onTestFinished, { api: 'v3', seed: 4, pairs: 3, rate: 0, frames: 50 });
    const result = await runInProcess(['--rest-url', sim.restUrl, '--ws-url', sim.wsUrl, '--record', join(dir, 'no-such-dir', 'f.ndjson')]);
    expect(result.code).toBe(6);
    expect(result.stderr).toMatch(/^polo-ws: error: cannot write the recording .*ENOENT/);
  });
});
