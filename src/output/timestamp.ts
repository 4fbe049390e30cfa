/** How text lines are stamped (--timestamp). */
export type TimestampMode = 'local' | 'utc' | 'epoch-ms' | 'none';

/**
 * Timestamp text for a receive time, cached per millisecond (a busy feed prints many lines in the
 * same millisecond). local and utc are the reference script's `YYYY-MM-DD HH:MM:SS.mmm`.
 */
export class LineTimestamp {
  private lastMs = Number.NaN;
  private lastText = '';

  constructor(private readonly mode: TimestampMode = 'local') {}

  /** The prefix for a line: the timestamp and a space, or nothing for mode none. */
  prefix(ms: number): string {
    if (this.mode === 'none') return '';
    if (ms !== this.lastMs) {
      this.lastText = `${this.format(ms)} `;
      this.lastMs = ms;
    }
    return this.lastText;
  }

  /** The timestamp alone. */
  format(ms: number): string {
    if (this.mode === 'epoch-ms') return String(ms);
    const d = new Date(ms);
    const utc = this.mode === 'utc';
    const year = utc ? d.getUTCFullYear() : d.getFullYear();
    const month = (utc ? d.getUTCMonth() : d.getMonth()) + 1;
    const day = utc ? d.getUTCDate() : d.getDate();
    const hours = utc ? d.getUTCHours() : d.getHours();
    const minutes = utc ? d.getUTCMinutes() : d.getMinutes();
    const seconds = utc ? d.getUTCSeconds() : d.getSeconds();
    const millis = utc ? d.getUTCMilliseconds() : d.getMilliseconds();
    return `${year}-${pad2(month)}-${pad2(day)} ${pad2(hours)}:${pad2(minutes)}:${pad2(seconds)}.${pad3(millis)}`;
  }
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

function pad3(n: number): string {
  return n < 10 ? `00${n}` : n < 100 ? `0${n}` : String(n);
}
