import type { Level } from '../protocol/types.js';
import { addDecimal, midDecimal, subtractDecimal } from '../book/decimal.js';

/**
 * The watch screen as text: a pure function of what is shown, so tests render it into a headless
 * terminal and read it back. Rows are written at absolute positions and cleared to their end, so
 * one write replaces the previous screen without clearing it first (no flicker).
 */

/** What the book is, as the view shows it: nothing resynced is drawn as live. */
export type BookState = 'waiting' | 'live' | 'resyncing' | 'stale';

export interface TapeTrade {
  /** HH:MM:SS of the trade (the receive time, local). */
  readonly time: string;
  readonly side: 'buy' | 'sell';
  readonly price: string;
  readonly size: string;
}

export interface ScreenInput {
  readonly pair: string;
  readonly api: string;
  /** The book's best levels, best first; undefined when there is no trusted book. */
  readonly asks: readonly Level[] | undefined;
  readonly bids: readonly Level[] | undefined;
  readonly state: BookState;
  /** Newest first. */
  readonly trades: readonly TapeTrade[];
  /** `side:price` of levels whose size changed a moment ago: shown highlighted. */
  readonly changed: ReadonlySet<string>;
  readonly connection: string;
  readonly gaps: number;
  readonly reconnects: number;
  readonly framesPerSecond: number;
  /** Cap on levels a side (--levels), or undefined to fill the screen. */
  readonly levels: number | undefined;
  readonly cols: number;
  readonly rows: number;
  readonly color: boolean;
}

const SGR = { reset: '\x1b[0m', red: '\x1b[31m', green: '\x1b[32m', dim: '\x1b[2m', bold: '\x1b[1m', inverse: '\x1b[7m', yellow: '\x1b[33m' };
const TAPE_WIDTH = 38;
/** Below this width the trades tape goes under the ladder instead of beside it. */
const SIDE_BY_SIDE = 80;

/** Levels a side the ladder shows for a terminal of `rows` rows (header, column names, spread row, status). */
export function levelsFor(rows: number, tapeBelow: boolean, cap: number | undefined): number {
  const ladderRows = Math.max(0, (tapeBelow ? Math.floor((rows - 3) * 0.65) : rows - 3) - 1);
  const fit = Math.floor(ladderRows / 2);
  return cap === undefined ? fit : Math.min(cap, fit);
}

/** The whole screen, as one string to write. */
export function renderScreen(input: ScreenInput): string {
  const { cols, rows } = input;
  const tapeBelow = cols < SIDE_BY_SIDE;
  const ladderWidth = tapeBelow ? cols : cols - TAPE_WIDTH - 1;
  const lines: Array<{ text: string; style?: string }[]> = [];
  lines.push(headerRow(input, cols));
  const ladder = ladderRows(input, ladderWidth, levelsFor(rows, tapeBelow, input.levels));
  const tape = tapeRows(input, tapeBelow ? cols : TAPE_WIDTH, tapeBelow ? Math.max(0, rows - 2 - ladder.length) : rows - 2);
  if (tapeBelow) {
    lines.push(...ladder, ...tape);
  } else {
    for (let i = 0; i < rows - 2; i++) {
      const left = ladder[i] ?? [];
      lines.push([...left, { text: ' '.repeat(Math.max(0, ladderWidth - width(left))) + ' ' }, ...(tape[i] ?? [])]);
    }
  }
  while (lines.length < rows - 1) lines.push([]);
  lines.length = rows - 1;
  lines.push(statusRow(input, cols));
  let out = '';
  for (let r = 0; r < lines.length; r++) out += `\x1b[${r + 1};1H${paint(clip(lines[r] ?? [], cols), input.color)}\x1b[K`;
  return out;
}

type Cell = { text: string; style?: string };

function width(cells: readonly Cell[]): number {
  let n = 0;
  for (const cell of cells) n += cell.text.length;
  return n;
}

function clip(cells: readonly Cell[], cols: number): Cell[] {
  const out: Cell[] = [];
  let left = cols;
  for (const cell of cells) {
    if (left <= 0) break;
    const text = cell.text.length > left ? cell.text.slice(0, left) : cell.text;
    out.push(cell.style === undefined ? { text } : { text, style: cell.style });
    left -= text.length;
  }
  return out;
}

function paint(cells: readonly Cell[], color: boolean): string {
  let out = '';
  for (const cell of cells) out += color && cell.style !== undefined ? `${cell.style}${cell.text}${SGR.reset}` : cell.text;
  return out;
}

function headerRow(input: ScreenInput, cols: number): Cell[] {
  const bestAsk = input.asks?.[0];
  const bestBid = input.bids?.[0];
  let market = '';
  if (bestAsk !== undefined && bestBid !== undefined) {
    market = `  mid ${midDecimal(bestAsk.price, bestBid.price)}  spread ${subtractDecimal(bestAsk.price, bestBid.price)}`;
  }
  const right = `${input.api} `;
  const left = ` ${input.pair}${market}`;
  return [{ text: left, style: SGR.bold }, { text: ' '.repeat(Math.max(1, cols - left.length - right.length)) }, { text: right, style: SGR.dim }];
}

const STATE_TEXT: Record<BookState, string> = { waiting: 'waiting for the book', live: 'book live', resyncing: 'RESYNCING', stale: 'STALE' };

function statusRow(input: ScreenInput, cols: number): Cell[] {
  const state = STATE_TEXT[input.state];
  const rest = ` · ${input.connection} · gaps ${input.gaps} · reconnects ${input.reconnects} · ${Math.round(input.framesPerSecond)} frames/s · q quits`;
  const style = input.state === 'live' ? SGR.green : input.state === 'waiting' ? SGR.dim : SGR.yellow + SGR.bold;
  const cells = [{ text: ` ${state}`, style }, { text: rest }];
  return [...cells, { text: ' '.repeat(Math.max(0, cols - width(cells))) }].map((cell) => ({ ...cell, style: `${SGR.inverse}${cell.style ?? ''}` }));
}

/** Asks above (best lowest), a spread row, bids below (best highest); price, size, cumulative, depth bar. */
function ladderRows(input: ScreenInput, ladderWidth: number, perSide: number): Cell[][] {
  const priceW = 16;
  const sizeW = 16;
  const totalW = 16;
  const barW = Math.max(0, ladderWidth - priceW - sizeW - totalW - 4);
  const rows: Cell[][] = [[{ text: `${'price'.padStart(priceW)} ${'size'.padStart(sizeW)} ${'total'.padStart(totalW)}  depth`, style: SGR.dim }]];
  if (input.asks === undefined || input.bids === undefined || input.state !== 'live') {
    const note = input.state === 'resyncing' ? 'book resyncing: waiting for a fresh snapshot' : input.state === 'stale' ? 'no data: the book may be stale' : 'waiting for the book';
    for (let i = 0; i < perSide; i++) rows.push([]);
    rows.push([{ text: `   ${note}`, style: SGR.yellow }]);
    for (let i = 0; i < perSide; i++) rows.push([]);
    return rows;
  }
  const asks = cumulate(input.asks.slice(0, perSide));
  const bids = cumulate(input.bids.slice(0, perSide));
  const max = Math.max(Number(asks.at(-1)?.total ?? 0), Number(bids.at(-1)?.total ?? 0)) || 1;
  const level = (side: 'ask' | 'bid', entry: { price: string; size: string; total: string }): Cell[] => {
    const hot = input.changed.has(`${side}:${entry.price}`);
    const style = (side === 'ask' ? SGR.red : SGR.green) + (hot ? SGR.inverse : '');
    const bar = '█'.repeat(Math.min(barW, Math.round((Number(entry.total) / max) * barW)));
    return [
      { text: `${fit(entry.price, priceW)} ${fit(entry.size, sizeW)}`, style },
      { text: ` ${fit(entry.total, totalW)}  ` },
      { text: bar, style: side === 'ask' ? SGR.red : SGR.green },
    ];
  };
  for (let i = perSide - 1; i >= 0; i--) rows.push(asks[i] === undefined ? [] : level('ask', asks[i] as Cumulated));
  const bestAsk = asks[0];
  const bestBid = bids[0];
  rows.push(
    bestAsk !== undefined && bestBid !== undefined
      ? [{ text: `${'spread'.padStart(priceW)} ${fit(subtractDecimal(bestAsk.price, bestBid.price), sizeW)}`, style: SGR.bold }]
      : [{ text: `${'one-sided'.padStart(priceW)}`, style: SGR.dim }],
  );
  for (let i = 0; i < perSide; i++) rows.push(bids[i] === undefined ? [] : level('bid', bids[i] as Cumulated));
  return rows;
}

interface Cumulated {
  readonly price: string;
  readonly size: string;
  readonly total: string;
}

function cumulate(levels: readonly Level[]): Cumulated[] {
  let total = '0';
  return levels.map((level) => {
    total = addDecimal(total, level.size);
    return { price: level.price, size: level.size, total };
  });
}

/** Right-aligned in `w` columns; a longer value keeps its first w-1 characters and a '…'. */
function fit(text: string, w: number): string {
  return text.length > w ? `${text.slice(0, w - 1)}…` : text.padStart(w);
}

function tapeRows(input: ScreenInput, tapeWidth: number, height: number): Cell[][] {
  if (height <= 0) return [];
  const rows: Cell[][] = [[{ text: ` ${'time'.padEnd(8)} side ${'price'.padStart(11)} ${'size'.padStart(11)}`.slice(0, tapeWidth), style: SGR.dim }]];
  for (const trade of input.trades) {
    if (rows.length >= height) break;
    const style = trade.side === 'buy' ? SGR.green : SGR.red;
    rows.push([{ text: ` ${trade.time} ${trade.side.padEnd(4)} ${fit(trade.price, 11)} ${fit(trade.size, 11)}`, style }]);
  }
  return rows;
}
