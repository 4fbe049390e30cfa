import { describe, expect, it } from 'vitest';
import { runCli, untimed } from './helpers/run-cli.js';

// The real exchange, with the default endpoints. CI has no internet: run by hand with
//   POLO_WS_LIVE=1 npx vitest run test/live.test.ts
describe.skipIf(process.env.POLO_WS_LIVE !== '1')('the live Poloniex API (POLO_WS_LIVE=1)', () => {
  it('streams BTC_USDT book, trade and ticker lines for a few seconds, then stops on SIGINT', async () => {
    const result = await runCli(['--pairs', 'BTC_USDT', '--depth', '3'], {
      timeoutMs: 30_000,
      onSpawn: (child) => setTimeout(() => child.kill('SIGINT'), 8_000),
    });
    expect(result.stderr).toMatch(/stopped by SIGINT/);
    expect(result.code).toBe(130);
    const lines = untimed(result.stdout);
    expect(lines.filter((line) => line.startsWith('BTC_USDT book: asks'))).toHaveLength(3);
    expect(lines.every((line) => line.includes('BTC_USDT'))).toBe(true);
  }, 40_000);
});
