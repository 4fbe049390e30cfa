import type { PrintEvent } from '../book/processor.js';
import { formatEvent, type LineOut } from './text.js';
import { LineTimestamp, type TimestampMode } from './timestamp.js';

export type { LineOut };

/** Turns print events received at one time into output lines. */
export interface LineFormatter {
  format(event: PrintEvent, at: number, out: LineOut): void;
}

/** The reference script's text lines behind a timestamp (--format text, the default). */
export class TextFormatter implements LineFormatter {
  private readonly stamp: LineTimestamp;

  constructor(mode: TimestampMode) {
    this.stamp = new LineTimestamp(mode);
  }

  format(event: PrintEvent, at: number, out: LineOut): void {
    formatEvent(event, out, this.stamp.prefix(at));
  }
}

/**
 * NDJSON (--format json): one object per text line, `ts` in ISO 8601 UTC with milliseconds, `type`
 * and `pair` first, prices and sizes as the exchange's strings.
 */
export class JsonFormatter implements LineFormatter {
  private lastMs = Number.NaN;
  private lastTs = '';

  format(event: PrintEvent, at: number, out: LineOut): void {
    if (at !== this.lastMs) {
      this.lastMs = at;
      this.lastTs = JSON.stringify(new Date(at).toISOString());
    }
    const head = `{"ts":${this.lastTs},"type":`;
    const pair = JSON.stringify(event.pair);
    switch (event.kind) {
      case 'book':
        for (const l of event.asks) out.add(`${head}"book","pair":${pair},"side":"ask","price":${str(l.price)},"size":${str(l.size)}}`);
        for (const l of event.bids) out.add(`${head}"book","pair":${pair},"side":"bid","price":${str(l.price)},"size":${str(l.size)}}`);
        return;
      case 'change':
        out.add(`${head}"change","pair":${pair},"side":"${event.side}","price":${str(event.price)},"size":${str(event.size)}}`);
        return;
      case 'remove':
        out.add(`${head}"remove","pair":${pair},"side":"${event.side}","price":${str(event.price)}}`);
        return;
      case 'trade':
        out.add(
          `${head}"trade","pair":${pair},"tradeId":${str(event.tradeId)},"side":"${event.side}","price":${str(event.price)},` +
            `"size":${str(event.size)},"timestamp":${str(event.timestamp)}}`,
        );
        return;
      case 'ticker':
        out.add(`${head}"ticker","pair":${pair},${JSON.stringify(event.fields).slice(1)}`);
        return;
      case 'top':
        out.add(
          `${head}"top","pair":${pair},"bidPrice":${opt(event.bid?.price)},"bidSize":${opt(event.bid?.size)},` +
            `"askPrice":${opt(event.ask?.price)},"askSize":${opt(event.ask?.size)},"spread":${opt(event.spread)}}`,
        );
        return;
    }
  }
}

function str(text: string): string {
  return JSON.stringify(text);
}

function opt(text: string | undefined): string {
  return text === undefined ? 'null' : JSON.stringify(text);
}
