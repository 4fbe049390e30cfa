// `polo-ws watch PAIR` end to end, in the test process: a scripted server of the current API sends
// known frames, the view draws into a headless terminal emulator (xterm.js) through a fake TTY, and
// the test reads what a person would see, then presses q.
import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { run } from '../src/cli.js';
import { ScreenReader } from './helpers/headless-terminal.js';
import { runInProcess } from './helpers/run-in-process.js';
import { startScriptedV3Server, type ScriptedV3Server, type V3Step } from './helpers/scripted-v3-server.js';

const markets = [{ symbol: 'BTC_USDT', state: 'NORMAL' }, { symbol: 'ETH_BTC', state: 'NORMAL' }];
const asks = Array.from({ length: 12 }, (_, i) => [`${25000 + i * 5}`, `0.${i + 1}`]);
const bids = Array.from({ length: 12 }, (_, i) => [`${24995 - i * 5}`, `1.${i}`]);
const book = (action: 'snapshot' | 'update', id: number, lastId: number, a: string[][], b: string[][]) => ({
  channel: 'book_lv2',
  action,
  data: [{ symbol: 'BTC_USDT', createTime: 1, asks: a, bids: b, lastId, id, ts: 2 }],
});
const trade = (id: string, takerSide: string, price: string, quantity: string) => ({
  channel: 'trades',
  data: [{ symbol: 'BTC_USDT', amount: '1', quantity, takerSide, createTime: 1676950548834, price, id, ts: 3 }],
});

class FakeTty extends EventEmitter {
  readonly isTTY = true;
  constructor(
    readonly reader: ScreenReader,
    public columns: number,
    public rows: number,
  ) {
    super();
  }
  write(text: string): boolean {
    void this.reader.write(text);
    return true;
  }
  hasColors(): boolean {
    return false;
  }
}

class FakeKeys extends EventEmitter {
  readonly isTTY = true;
  raw = false;
  setRawMode(mode: boolean): void {
    this.raw = mode;
  }
  resume(): void {}
  pause(): void {}
}

let server: ScriptedV3Server | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function until(what: string, check: () => boolean, ms = 8000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The ladder's rows as [price, size, total], top to bottom. */
const ladder = (lines: string[]): string[][] =>
  lines.map((line) => line.slice(0, 52).trim().split(/\s+/)).filter((cells) => cells.length === 3 && /^\d+$/.test(cells[0] ?? ''));

describe('polo-ws watch', () => {
  it('draws the server\'s book and trades, marks a resync, follows a resize, and q restores the terminal (exit 0)', async () => {
    const steps: V3Step[] = [
      book('snapshot', 100, 99, asks, bids),
      book('update', 101, 100, [['25000', '0']], [['24997', '2.5']]),
      trade('t1', 'buy', '25005', '0.25'),
      { pauseMs: 600 },
      // A gap: lastId 150 is not 101. The book resyncs; its fresh snapshot waits for the resubscribe.
      book('update', 151, 150, [['25005', '9']], []),
      { awaitBookSubscribe: 'BTC_USDT' },
      { pauseMs: 600 },
      book('snapshot', 200, 199, [['25010', '3']], [['24990', '4']]),
      { pauseMs: 60_000 },
    ];
    server = await startScriptedV3Server({ markets, steps, subscribeMessages: 2 });
    const reader = new ScreenReader(100, 40);
    await reader.write('$ before\r\n');
    const before = reader.lines();
    const tty = new FakeTty(reader, 100, 40);
    const keys = new FakeKeys();
    const stderr: string[] = [];
    const controller = new AbortController();
    const running = run(['watch', 'BTC_USDT', '--rest-url', server.url, '--ws-url', server.wsUrl], {
      stdout: tty as never,
      stderr: (text) => stderr.push(text),
      signal: controller.signal,
      now: Date.now,
      stdin: keys,
      env: {},
    });
    const text = (): string => reader.lines().join('\n');
    await until('the trade', () => /t?\d\d:\d\d:\d\d buy\s+25005\s+0\.25/.test(text()));
    expect(reader.screen).toBe('alternate');
    expect(reader.cursorHidden).toBe(true);
    expect(keys.raw).toBe(true);
    let rows = ladder(reader.lines());
    // 11 asks (25000 removed), best 25005 just above the spread; bids with 24997 added, best first below it.
    expect(rows.filter(([price]) => Number(price) >= 25005)).toHaveLength(11);
    const spread = reader.lines().findIndex((line) => line.trimStart().startsWith('spread'));
    expect(reader.lines()[spread - 1]?.slice(0, 52).trim().split(/\s+/)).toEqual(['25005', '0.2', '0.2']);
    expect(reader.lines()[spread + 1]?.slice(0, 52).trim().split(/\s+/)).toEqual(['24997', '2.5', '2.5']);
    expect(reader.lines()[spread + 2]?.slice(0, 52).trim().split(/\s+/)).toEqual(['24995', '1.0', '3.5']);
    expect(reader.lines()[0]).toMatch(/BTC_USDT\s+mid 25001\s+spread 8/);
    expect(reader.lines()[39]).toMatch(/book live · connected/);

    await until('the resync mark', () => /RESYNCING/.test(reader.lines()[39] ?? ''));
    expect(ladder(reader.lines())).toEqual([]);
    expect(text()).toMatch(/book resyncing: waiting for a fresh snapshot/);

    await until('the fresh snapshot', () => /book live/.test(reader.lines()[39] ?? ''));
    rows = ladder(reader.lines());
    expect(rows).toEqual([
      ['25010', '3', '3'],
      ['24990', '4', '4'],
    ]);

    tty.columns = 60;
    tty.rows = 20;
    reader.resize(60, 20);
    tty.emit('resize');
    await until('the smaller screen', () => /book live/.test(reader.lines()[19] ?? '') && /^ BTC_USDT/.test(reader.lines()[0] ?? ''));
    expect(reader.lines().map((line) => line.length).filter((n) => n > 60)).toEqual([]);
    expect(text()).toMatch(/buy\s+25005\s+0\.25/);

    keys.emit('data', Buffer.from('q'));
    expect(await running).toBe(0);
    await reader.write(''); // xterm.js parses writes in order, asynchronously: let it catch up
    expect(reader.screen).toBe('normal');
    expect(reader.cursorHidden).toBe(false);
    expect(keys.raw).toBe(false);
    expect(reader.lines().slice(0, 1)).toEqual(before.slice(0, 1));
    expect(stderr.join('')).toMatch(/sequence gap in BTC_USDT/);
  });

  it('refuses a stdout that is not a terminal (exit 2), saying to stream lines instead', async () => {
    const { code, stdout, stderr } = await runInProcess(['watch', 'BTC_USDT']);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/^polo-ws: error: watch draws a full-screen view and needs a terminal.*polo-ws --pairs BTC_USDT\n$/);
  });
});
