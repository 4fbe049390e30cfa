/**
 * Market messages shaped like what the real Poloniex v3 feed sends: one data item per message,
 * book_lv2 as a 20-level window over a deeper book, prices without trailing zeros, quantities with
 * a varying number of them, one trade per message.
 * Independent of src/sim on purpose: a second, unrelated server catches what one server's habits hide.
 */

/** book_lv2 shows this many levels a side, never more. */
export const WINDOW = 20;

export type LevelPair = [price: string, quantity: string];

export interface BookMessage {
  readonly channel: 'book_lv2';
  readonly action: 'snapshot' | 'update';
  readonly data: [{ symbol: string; createTime: number; asks: LevelPair[]; bids: LevelPair[]; lastId: number; id: number; ts: number }];
}
export interface TradeMessage {
  readonly channel: 'trades';
  readonly data: [
    { symbol: string; amount: string; quantity: string; takerSide: 'buy' | 'sell'; createTime: number; price: string; id: string; ts: number },
  ];
}
export interface TickerMessage {
  readonly channel: 'ticker';
  readonly data: [
    {
      symbol: string;
      startTime: number;
      open: string;
      high: string;
      low: string;
      close: string;
      quantity: string;
      amount: string;
      tradeCount: number;
      dailyChange: string;
      markPrice: string;
      closeTime: number;
      ts: number;
    },
  ];
}
export type MarketMessage = BookMessage | TradeMessage | TickerMessage;

/** Seeded generator (mulberry32): the same seed gives the same feed. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Integer units of 10^-scale as the exchange prints prices: no trailing zeros. */
export function plain(units: bigint, scale: number): string {
  const digits = units.toString().padStart(scale + 1, '0');
  const whole = digits.slice(0, digits.length - scale);
  const fraction = digits.slice(digits.length - scale).replace(/0+$/, '');
  return fraction === '' ? whole : `${whole}.${fraction}`;
}

/** Price grid of a market: center and tick in units of 10^-scale. Varied scales exercise exact decimals. */
interface Spec {
  readonly center: number;
  readonly scale: number;
  readonly tick: number;
}
const SPECS: Readonly<Record<string, Spec>> = {
  BTC_USDT: { center: 4_700_000, scale: 2, tick: 3 },
  ETH_USDT: { center: 3_300_000, scale: 3, tick: 50 },
  SHIB_USDT: { center: 932, scale: 9, tick: 1 },
};
const DEFAULT_SPEC: Spec = { center: 10_500_000, scale: 5, tick: 70 };
/** Quantities have 6 decimals. */
const QTY_SCALE = 6;

function hash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

/**
 * One market's book and message stream. The book is deeper than the window, so a level removed
 * inside the window lets one enter from below, and a level added inside pushes the 20th out with "0".
 */
export class MarketFeed {
  private readonly random: () => number;
  private readonly spec: Spec;
  /** Tick distance from the center (1 = best possible) -> quantity units; asks above, bids below. */
  private readonly sides = { asks: new Map<number, number>(), bids: new Map<number, number>() };
  private id: number;
  private clock = 1648548893014;
  private tradeId: number;
  private readonly open: number;
  private close: number;
  private volume = 0;
  private notional = 0n;
  private tradeCount: number;

  constructor(
    readonly symbol: string,
    seed: number,
  ) {
    this.random = seeded(seed ^ hash(symbol));
    this.spec = SPECS[symbol] ?? DEFAULT_SPEC;
    for (const side of [this.sides.asks, this.sides.bids]) {
      for (let distance = 1; side.size < 36; distance++) if (this.random() < 0.6) side.set(distance, this.quantityUnits());
    }
    this.id = 1_000_000 + Math.floor(this.random() * 9_000_000);
    this.tradeId = 60_000_000 + Math.floor(this.random() * 1_000_000);
    this.tradeCount = 100_000 + Math.floor(this.random() * 20_000);
    this.open = this.spec.center + Math.round((this.random() - 0.5) * 0.06 * this.spec.center);
    this.close = this.open;
  }

  /** The window as a fresh snapshot, 20 levels a side, best first. */
  snapshot(): BookMessage {
    const levels = (side: Map<number, number>, sign: 1 | -1): LevelPair[] => this.window(side).map((d) => this.level(d, sign, side.get(d) ?? 0));
    return this.book('snapshot', levels(this.sides.asks, 1), levels(this.sides.bids, -1));
  }

  /** The window's next change: one side, sometimes both. */
  update(): BookMessage {
    const both = this.random() < 0.3;
    const asksSide = both || this.random() < 0.5;
    return this.book('update', asksSide ? this.change(this.sides.asks, 1) : [], both || !asksSide ? this.change(this.sides.bids, -1) : []);
  }

  trade(): TradeMessage {
    const buy = this.random() < 0.5;
    const distance = this.window(buy ? this.sides.asks : this.sides.bids)[0] ?? 1;
    const price = this.priceUnits(distance, buy ? 1 : -1);
    const quantity = this.quantityUnits();
    this.close = price;
    this.volume += quantity;
    this.notional += BigInt(price) * BigInt(quantity);
    this.tradeCount++;
    const createTime = this.tick();
    const data = {
      symbol: this.symbol,
      amount: plain(BigInt(price) * BigInt(quantity), this.spec.scale + QTY_SCALE),
      quantity: this.quantityText(quantity),
      takerSide: buy ? ('buy' as const) : ('sell' as const),
      createTime,
      price: this.text(price),
      id: String(this.tradeId++),
      ts: createTime + 6,
    };
    return { channel: 'trades', data: [data] };
  }

  ticker(): TickerMessage {
    const { center, tick } = this.spec;
    const ts = this.tick();
    const change = Math.round(((this.close - this.open) / this.open) * 10_000);
    const data = {
      symbol: this.symbol,
      startTime: 1648462800000,
      open: this.text(this.open),
      high: this.text(Math.max(this.open, center) + 100 * tick),
      low: this.text(Math.min(this.open, center) - 100 * tick),
      close: this.text(this.close),
      quantity: this.quantityText(2_330_127_346 + this.volume),
      amount: plain(109_968_093_250_463_120_000n + this.notional, this.spec.scale + QTY_SCALE),
      tradeCount: this.tradeCount,
      dailyChange: (change < 0 ? '-' : '') + plain(BigInt(Math.abs(change)), 4),
      markPrice: this.text(this.close + tick),
      closeTime: ts - (ts % 1000),
      ts,
    };
    return { channel: 'ticker', data: [data] };
  }

  private change(side: Map<number, number>, sign: 1 | -1): LevelPair[] {
    const window = this.window(side);
    const roll = this.random();
    const pick = (from: readonly number[]): number => from[Math.floor(this.random() * from.length)] ?? 1;
    if (roll < 0.35 && side.size > WINDOW + 4) {
      // A level inside leaves; the best one outside the window enters from below.
      const gone = pick(window);
      side.delete(gone);
      const entering = this.window(side)[WINDOW - 1] ?? 1;
      const removed: LevelPair = [this.text(this.priceUnits(gone, sign)), '0'];
      const added = this.level(entering, sign, side.get(entering) ?? 0);
      return this.random() < 0.5 ? [removed, added] : [added, removed];
    }
    const worst = window[window.length - 1] ?? 1;
    const free = [...Array(worst).keys()].filter((d) => d > 0 && !side.has(d));
    if (roll < 0.7 && free.length > 0) {
      // A level enters inside: the 20th leaves the window with "0", as in ["36.842","353.838425"],["47","0"].
      const added = pick(free);
      side.set(added, this.quantityUnits());
      const out = [this.level(added, sign, side.get(added) ?? 0)];
      if (window.length === WINDOW) out.push([this.text(this.priceUnits(worst, sign)), '0']);
      return out;
    }
    const changed = pick(window);
    side.set(changed, this.quantityUnits());
    return [this.level(changed, sign, side.get(changed) ?? 0)];
  }

  private book(action: 'snapshot' | 'update', asks: LevelPair[], bids: LevelPair[]): BookMessage {
    const lastId = this.id++;
    const createTime = this.tick();
    return { channel: 'book_lv2', action, data: [{ symbol: this.symbol, createTime, asks, bids, lastId, id: this.id, ts: createTime + 16 }] };
  }

  /** The best WINDOW distances of a side, best first. */
  private window(side: Map<number, number>): number[] {
    return [...side.keys()].sort((a, b) => a - b).slice(0, WINDOW);
  }

  private level(distance: number, sign: 1 | -1, quantity: number): LevelPair {
    return [this.text(this.priceUnits(distance, sign)), this.quantityText(quantity)];
  }

  private priceUnits(distance: number, sign: 1 | -1): number {
    return this.spec.center + sign * distance * this.spec.tick;
  }

  private text(units: number): string {
    return plain(BigInt(units), this.spec.scale);
  }

  /** Round numbers are common on real books, so many quantities end in zeros. */
  private quantityUnits(): number {
    const step = 10 ** Math.floor(this.random() * 6);
    return step * (1 + Math.floor((this.random() * 500_000_000) / step));
  }

  /** The exchange keeps some of a quantity's trailing zeros and not others ("0.34", "0.3400", "0.340000"). */
  private quantityText(units: number): string {
    const digits = String(units).padStart(QTY_SCALE + 1, '0');
    const whole = digits.slice(0, -QTY_SCALE);
    const fraction = digits.slice(-QTY_SCALE);
    const significant = fraction.replace(/0+$/, '').length;
    const keep = significant + Math.floor(this.random() * (QTY_SCALE + 1 - significant));
    return keep === 0 ? whole : `${whole}.${fraction.slice(0, keep)}`;
  }

  private tick(): number {
    this.clock += 1 + Math.floor(this.random() * 40);
    return this.clock;
  }
}
