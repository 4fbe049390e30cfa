// The watch screen as a person sees it: renderScreen's text written into a headless terminal
// emulator (xterm.js), read back row by row.
import { describe, expect, it } from 'vitest';
import { renderScreen, type ScreenInput } from '../src/watch/render.js';
import { ENTER, LEAVE, Terminal } from '../src/watch/terminal.js';
import { ScreenReader } from './helpers/headless-terminal.js';
import { EventEmitter } from 'node:events';

const asks = Array.from({ length: 30 }, (_, i) => ({ price: (100.5 + i * 0.5).toFixed(1), size: `${i + 1}.25` }));
const bids = Array.from({ length: 30 }, (_, i) => ({ price: (100 - i * 0.5).toFixed(1), size: `${i + 2}` }));

function input(overrides: Partial<ScreenInput> = {}): ScreenInput {
  return {
    pair: 'BTC_USDT',
    api: 'v3',
    asks,
    bids,
    state: 'live',
    trades: [
      { time: '12:00:02', side: 'buy', price: '100.5', size: '0.75' },
      { time: '12:00:01', side: 'sell', price: '100', size: '1.5' },
    ],
    changed: new Set(),
    connection: 'connected',
    gaps: 0,
    reconnects: 0,
    framesPerSecond: 12,
    levels: undefined,
    cols: 100,
    rows: 40,
    color: false,
    ...overrides,
  };
}

async function shown(screen: ScreenInput): Promise<string[]> {
  const reader = new ScreenReader(screen.cols, screen.rows);
  await reader.write(renderScreen(screen));
  return reader.lines();
}

/** The ladder rows of a side, as [price, size, total], in screen order. */
function ladder(lines: string[]): string[][] {
  return lines.map((line) => line.slice(0, 52).trim().split(/\s+/)).filter((cells) => cells.length === 3 && /^\d/.test(cells[0] ?? ''));
}

describe('the watch ladder', () => {
  it('shows the best ask just above the best bid, at least 10 levels a side, in a 100x40 terminal', async () => {
    const lines = await shown(input());
    const rows = ladder(lines);
    const spreadAt = lines.findIndex((line) => line.trimStart().startsWith('spread'));
    const askRows = rows.filter((cells) => Number(cells[0]) >= 100.5);
    const bidRows = rows.filter((cells) => Number(cells[0]) <= 100);
    expect(askRows.length).toBeGreaterThanOrEqual(10);
    expect(bidRows.length).toBeGreaterThanOrEqual(10);
    expect(lines[spreadAt - 1]?.slice(0, 52).trim().split(/\s+/)).toEqual(['100.5', '1.25', '1.25']);
    expect(lines[spreadAt + 1]?.slice(0, 52).trim().split(/\s+/)).toEqual(['100.0', '2', '2']);
    expect(lines[spreadAt]).toMatch(/spread\s+0\.5/);
    // Worse asks above, worse bids below; cumulative sizes exact.
    expect(askRows[0]?.[0]).toBe((100.5 + (askRows.length - 1) * 0.5).toFixed(1));
    expect(bidRows[2]).toEqual(['99.0', '4', '9']);
    expect(lines[0]).toMatch(/BTC_USDT\s+mid 100\.25\s+spread 0\.5/);
  });

  it('shows the trades tape beside the ladder, newest first', async () => {
    const lines = await shown(input());
    const tape = lines.filter((line) => /\d\d:\d\d:\d\d (buy|sell)/.test(line)).map((line) => line.slice(62).trim().split(/\s+/));
    expect(tape).toEqual([
      ['12:00:02', 'buy', '100.5', '0.75'],
      ['12:00:01', 'sell', '100', '1.5'],
    ]);
  });

  it('marks a resyncing book and draws no level as live', async () => {
    const lines = await shown(input({ state: 'resyncing' }));
    expect(ladder(lines)).toEqual([]);
    expect(lines.join('\n')).toMatch(/book resyncing: waiting for a fresh snapshot/);
    expect(lines.at(-1)).toMatch(/RESYNCING/);
  });

  it('fits a small terminal: the tape goes below, nothing wraps', async () => {
    const lines = await shown(input({ cols: 60, rows: 20 }));
    expect(lines).toHaveLength(20);
    expect(lines.every((line) => line.length <= 60)).toBe(true);
    expect(ladder(lines).length).toBeGreaterThanOrEqual(6);
    expect(lines.some((line) => /12:00:02 buy/.test(line))).toBe(true);
    expect(lines.at(-1)).toMatch(/book live/);
  });

  it('caps the levels at --levels', async () => {
    const rows = ladder(await shown(input({ levels: 3 })));
    expect(rows).toHaveLength(6);
  });

  it('colours only when asked to (NO_COLOR, TERM=dumb turn it off)', () => {
    expect(renderScreen(input({ color: false }))).not.toMatch(/\x1b\[3[12]m/);
    expect(renderScreen(input({ color: true }))).toMatch(/\x1b\[31m/);
  });
});

describe('the terminal', () => {
  class FakeTty extends EventEmitter {
    columns = 100;
    rows = 40;
    written = '';
    write(text: string): boolean {
      this.written += text;
      return true;
    }
  }

  it('enters the alternate screen with the cursor hidden, and restores both exactly', async () => {
    const reader = new ScreenReader(40, 6);
    await reader.write('$ polo-ws watch BTC_USDT\r\n');
    const before = reader.lines();
    const tty = new FakeTty();
    const terminal = new Terminal(tty, undefined, { onResize: () => undefined, onKey: () => undefined });
    terminal.enter();
    terminal.draw('\x1b[1;1Hladder');
    await reader.write(tty.written);
    expect(reader.screen).toBe('alternate');
    expect(reader.cursorHidden).toBe(true);
    expect(tty.written.startsWith(ENTER)).toBe(true);
    tty.written = '';
    terminal.restore();
    terminal.restore();
    expect(tty.written).toBe(LEAVE);
    await reader.write(tty.written);
    expect(reader.screen).toBe('normal');
    expect(reader.cursorHidden).toBe(false);
    expect(reader.lines()).toEqual(before);
  });

  it('reads q and Ctrl-C as keys, and follows resizes', () => {
    const keys: string[] = [];
    let resized = 0;
    const tty = new FakeTty();
    const input = Object.assign(new EventEmitter(), { isTTY: true, raw: false, setRawMode(mode: boolean) { this.raw = mode; }, resume() {}, pause() {} });
    const terminal = new Terminal(tty, input, { onResize: () => resized++, onKey: (key) => keys.push(key) });
    terminal.enter();
    expect(input.raw).toBe(true);
    input.emit('data', Buffer.from('xq\x03'));
    tty.emit('resize');
    terminal.restore();
    expect(input.raw).toBe(false);
    expect(keys).toEqual(['quit', 'interrupt']);
    expect(resized).toBe(1);
  });
});
