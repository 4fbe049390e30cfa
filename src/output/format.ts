import type { PrintEvent } from '../book/processor.js';
import { formatEvent } from './text.js';
import { LineTimestamp, type TimestampMode } from './timestamp.js';

/** Turns print events received at one time into output lines (without the newline). */
export interface LineFormatter {
  format(event: PrintEvent, at: number, push: (line: string) => void): void;
}

/** The reference script's text lines behind a timestamp (--format text, the default). */
export class TextFormatter implements LineFormatter {
  private readonly stamp: LineTimestamp;

  constructor(mode: TimestampMode) {
    this.stamp = new LineTimestamp(mode);
  }

  format(event: PrintEvent, at: number, push: (line: string) => void): void {
    const prefix = this.stamp.prefix(at);
    formatEvent(event, (line) => push(prefix + line));
  }
}

/**
 * NDJSON (--format json): one object per text line, `ts` in ISO 8601 UTC with milliseconds, `type`
 * and `pair` first, prices and sizes as the exchange's strings.
 */
export class JsonFormatter implements LineFormatter {
  private lastMs = Number.NaN;
  private lastTs = '';

  format(event: PrintEvent, at: number, push: (line: string) => void): void {
    if (at !== this.lastMs) {
      this.lastMs = at;
      this.lastTs = JSON.stringify(new Date(at).toISOString());
    }
    const head = `{"ts":${this.lastTs},"type":`;
    const pair = JSON.stringify(event.pair);
    switch (event.kind) {
      case 'book':
        for (const l of event.asks) push(`${head}"book","pair":${pair},"side":"ask","price":${str(l.price)},"size":${str(l.size)}}`);
        for (const l of event.bids) push(`${head}"book","pair":${pair},"side":"bid","price":${str(l.price)},"size":${str(l.size)}}`);
        return;
      case 'change':
        push(`${head}"change","pair":${pair},"side":"${event.side}","price":${str(event.price)},"size":${str(event.size)}}`);
        return;
      case 'remove':
        push(`${head}"remove","pair":${pair},"side":"${event.side}","price":${str(event.price)}}`);
        return;
      case 'trade':
        push(
          `${head}"trade","pair":${pair},"tradeId":${str(event.tradeId)},"side":"${event.side}","price":${str(event.price)},` +
            `"size":${str(event.size)},"timestamp":${str(event.timestamp)}}`,
        );
        return;
      case 'ticker':
        push(`${head}"ticker","pair":${pair},${JSON.stringify(event.fields).slice(1)}`);
        return;
      case 'top':
        push(
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
