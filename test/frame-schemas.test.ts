import { describe, expect, it, vi, type TestContext } from 'vitest';
import { startHostileServer, v3Markets } from './helpers/hostile-server.js';
import { runCli } from './helpers/run-cli.js';

/**
 * The frame schemas (zod) are loaded when a frame first needs them, not at start-up (issue 15:
 * "zod's schemas when a frame needs them"). test/setup.ts loads them for every other file; here
 * the modules are fresh, so nothing has loaded them yet.
 */

async function freshModules() {
  vi.resetModules();
  const schemas = await import('../src/protocol/frame-schemas.js');
  const { V3Decoder } = await import('../src/protocol/v3.js');
  const { LegacyDecoder } = await import('../src/protocol/legacy.js');
  return { ...schemas, V3Decoder, LegacyDecoder };
}

const TRADE = { symbol: 'BTC_USDT', amount: '1', takerSide: 'buy', quantity: '0.5', createTime: 1659605262000, price: '2', id: '777', ts: 1 };

describe('the frame schemas, loaded when a frame first needs them', () => {
  it('decode the usual frames without them, ask for them for a frame only they can judge, and judge it once loaded', async () => {
    const { V3Decoder, LegacyDecoder, loadFrameSchemas, frameSchemas, SchemasNeeded } = await freshModules();
    expect(() => frameSchemas()).toThrow(SchemasNeeded);
    const v3 = new V3Decoder();
    v3.setMarkets({ pairs: ['BTC_USDT'], byId: new Map(), frozen: new Set() });
    const legacy = new LegacyDecoder();
    legacy.setMarkets({ pairs: ['BTC_ETH'], byId: new Map([['148', 'BTC_ETH']]), frozen: new Set() });
    const good = JSON.stringify({ channel: 'trades', data: [TRADE] });
    const odd = JSON.stringify({ channel: 'trades', data: [{ ...TRADE, id: 1.5 }] });
    // Scanned, or plainly fine by the hand checks: no schema needed.
    expect(v3.decode(good).ok).toBe(true);
    expect(v3.parse(good).ok).toBe(true);
    expect(legacy.decode('[148,5,[["o",1,"0.1","2"]]]').ok).toBe(true);
    expect(v3.decode('{"event":"pong"}').ok).toBe(true);
    expect(v3.decode('not json')).toEqual({ ok: false, reason: 'bad-frame', detail: 'not JSON' });
    // Only the schema words what is wrong with a trade id of 1.5.
    expect(v3.decode(odd)).toEqual({ ok: false, reason: 'needs-schemas' });
    expect(legacy.decode('[148,5,[["o",2,"0.1","2"]]]')).toEqual({ ok: false, reason: 'needs-schemas' });
    await loadFrameSchemas();
    expect(v3.decode(odd)).toMatchObject({ ok: false, reason: 'bad-frame', detail: expect.stringMatching(/^data\.0: id: /) as unknown });
    expect(legacy.decode('[148,5,[["o",2,"0.1","2"]]]')).toMatchObject({ ok: false, reason: 'bad-frame', detail: expect.stringMatching(/^book item 0: /) as unknown });
  });

  it('hold the feed while they load: a bad frame first is warned about in its place, and every line after it follows in order', async ({ onTestFinished }: TestContext) => {
    const snapshot = (id: number): object => ({
      channel: 'book_lv2',
      action: 'snapshot',
      data: [{ symbol: 'BTC_USDT', createTime: 1, asks: [['23951.12', '1.5']], bids: [['23950.43', '2']], lastId: id - 1, id, ts: 1 }],
    });
    const trades = Array.from({ length: 200 }, (_, i) => ({ channel: 'trades', data: [{ ...TRADE, id: String(1000 + i) }] }));
    const server = await startHostileServer({
      api: 'v3',
      rest: () => v3Markets('BTC_USDT'),
      play: async (conn) => {
        conn.send(snapshot(100));
        conn.send({ channel: 'trades', data: [{ ...TRADE, id: 1.5 }] });
        for (const trade of trades) conn.send(trade);
        await conn.drained();
        await conn.sleep(100);
        conn.close(1000, 'done');
      },
    });
    onTestFinished(() => server.close());
    const result = await runCli(['--rest-url', server.url, '--ws-url', server.wsUrl, '--max-reconnects', '0'], { timeoutMs: 12_000 });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/polo-ws: warning: bad frame #1 skipped \(data\.0: id: [^)]+\): \{"channel":"trades"/);
    const ids = [...result.stdout.matchAll(/ TRADE BTC_USDT=(\d+)\(tradeId\)/g)].map((m) => Number(m[1]));
    expect(ids).toEqual(trades.map((_, i) => 1000 + i));
    expect(result.stdout.indexOf(' BTC_USDT book: ')).toBeLessThan(result.stdout.indexOf(' TRADE '));
  });
});
