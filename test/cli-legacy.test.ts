import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli, untimed } from './helpers/run-cli.js';
import { runInProcess } from './helpers/run-in-process.js';
import { startScriptedServer, type ScriptedServer, type Step } from './helpers/scripted-server.js';

const fixture = JSON.parse(readFileSync(new URL('./fixtures/legacy-session.json', import.meta.url), 'utf8')) as {
  tickerMap: Record<string, { id: number }>;
  frames: string[];
};
const referenceLines = readFileSync(new URL('./fixtures/reference-output.txt', import.meta.url), 'utf8').trimEnd().split('\n');
const subscriptions = 1 + Object.keys(fixture.tickerMap).length;

let server: ScriptedServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** polo-ws (in this process; `spawn`: the built bin/polo-ws.js) against a scripted legacy server. */
async function stream(steps: readonly Step[], extra: string[] = [], expectedSubscriptions = subscriptions, restFailures?: number[], spawn = false) {
  server = await startScriptedServer({ tickerMap: fixture.tickerMap, steps, subscriptions: expectedSubscriptions, restFailures });
  const args = ['--api', 'legacy', '--rest-url', server.url, '--ws-url', server.wsUrl, '--max-reconnects', '0', ...extra];
  const result = await (spawn ? runCli(args) : runInProcess(args));
  return { ...result, lines: untimed(result.stdout) };
}

const noStackTrace = (stderr: string): void => expect(stderr).not.toMatch(/^\s+at /m);

describe('polo-ws against a legacy push-API server', () => {
  it('prints exactly what the reference script printed for the same feed, then exits 0 on a normal close', async () => {
    const { code, lines, stderr } = await stream(fixture.frames, [], subscriptions, undefined, true);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(lines.filter((line) => !line.startsWith('TICKER UPDATE'))).toEqual(referenceLines);
    expect(lines.filter((line) => line.startsWith('TICKER UPDATE'))).toHaveLength(3);
  });

  it('retries a ticker map that fails twice with HTTP 502, then streams completely', async () => {
    const { code, lines, stderr } = await stream(fixture.frames, [], subscriptions, [502, 502]);
    expect(code).toBe(0);
    expect(lines.filter((line) => !line.startsWith('TICKER UPDATE'))).toEqual(referenceLines);
    expect(stderr.match(/ticker map request failed \(HTTP 502\)/g)).toHaveLength(2);
    expect(server?.restRequests).toBe(3);
  });

  it('subscribes to the ticker channel and then every pair, in the map order', async () => {
    await stream(fixture.frames);
    expect(server?.commands).toEqual([
      { command: 'subscribe', channel: 1002 },
      { command: 'subscribe', channel: 'BTC_ETH' },
      { command: 'subscribe', channel: 'USDT_BTC' },
      { command: 'subscribe', channel: 'BTC_DOGE' },
    ]);
  });

  it('resubscribes only the pair whose sequence jumped and resumes it from its fresh snapshot', async () => {
    const [ethSnap, usdtSnap, dogeSnap] = fixture.frames;
    const steps: Step[] = [
      ethSnap as string,
      usdtSnap as string,
      dogeSnap as string,
      '[148,831245872,[["o",1,"0.02095000","2.00000000"]]]',
      '[148,831245874,[["o",1,"0.02096000","1.00000000"]]]', // 831245873 never came: a gap
      '[121,2078437,[["o",0,"9002.00000000","4.00000000"]]]',
      '[148,831245875,[["o",1,"0.02097000","1.00000000"]]]', // in flight before the resubscribe: not printed
      { awaitSubscribe: 'BTC_ETH' },
      '[148,831245890,[["i",{"currencyPair":"BTC_ETH","orderBook":[{"0.02300000":"1.00000000"},{"0.02200000":"2.00000000"}]}]]]',
      '[27,554433222,[["o",1,"0.00000031","1.00000000"]]]',
      '[148,831245891,[["o",0,"0.02300000","0.00000000"]]]',
    ];
    const { code, lines, stderr } = await stream(steps);
    expect(code).toBe(0);
    expect(lines.filter((line) => !line.startsWith('TICKER'))).toEqual([
      ...referenceLines.slice(0, 6),
      'Add or change BTC_ETH,side=bid,price=0.02095000,size=2.00000000',
      'Add or change USDT_BTC,side=ask,price=9002.00000000,size=4.00000000',
      'BTC_ETH book: asks((price,size)): (0.02300000,1.00000000)',
      'BTC_ETH book: bids((price,size)): (0.02200000,2.00000000)',
      'Add or change BTC_DOGE,side=bid,price=0.00000031,size=1.00000000',
      'Remove BTC_ETH,side=ask,price=0.02300000',
    ]);
    expect(server?.commands.slice(4)).toEqual([
      { command: 'unsubscribe', channel: 'BTC_ETH' },
      { command: 'subscribe', channel: 'BTC_ETH' },
    ]);
    expect(stderr).toMatch(/^polo-ws: warning: sequence gap in BTC_ETH \(expected seq 831245873, got 831245874\)/m);
    noStackTrace(stderr);
  });

  it('skips malformed frames and frames for unknown pair ids with warnings, printing every good line', async () => {
    const bad = ['{oops', '[148,"x"]', '["o"]', '[148,831245880,[["o",1,"abc","1"]]]', '[4242,77,[["o",1,"1.00000000","1.00000000"]]]', '[1002,null,[4242,"1","1","1","1","1","1",0,"1","1"]]'];
    const steps = [...fixture.frames.slice(0, 5), ...bad, ...fixture.frames.slice(5)];
    const { code, lines, stderr } = await stream(steps);
    expect(code).toBe(0);
    expect(lines.filter((line) => !line.startsWith('TICKER UPDATE'))).toEqual(referenceLines);
    expect(stderr).toMatch(/bad frame #1 skipped \(not JSON\): \{oops/);
    expect(stderr).toMatch(/unknown pair id 4242/);
    expect(server?.restRequests).toBe(2); // the map was fetched once more, for the unknown id
    for (const line of stderr.trimEnd().split('\n')) expect(line).toMatch(/^polo-ws: /);
    noStackTrace(stderr);
  });

  it('prints the top --depth levels of each snapshot side', async () => {
    const { lines } = await stream(fixture.frames.slice(0, 1), ['--depth', '2', '--pairs', 'BTC_ETH'], 2);
    expect(lines).toEqual([
      'BTC_ETH book: asks((price,size)): (0.02100000,12.50000000)',
      'BTC_ETH book: asks((price,size)): (0.02110000,3.00000000)',
      'BTC_ETH book: bids((price,size)): (0.02090000,7.25000000)',
      'BTC_ETH book: bids((price,size)): (0.02080000,1.00000000)',
    ]);
  });

  it('with --pairs subscribes to and prints only those pairs', async () => {
    const { code, lines } = await stream(fixture.frames, ['--pairs', 'usdt_btc'], 2);
    expect(code).toBe(0);
    expect(lines.length).toBeGreaterThan(5);
    expect(lines.every((line) => line.includes('USDT_BTC'))).toBe(true);
    expect(server?.commands).toEqual([
      { command: 'subscribe', channel: 1002 },
      { command: 'subscribe', channel: 'USDT_BTC' },
    ]);
  });
});
