/**
 * The reference script's timestamp, `YYYY-MM-DD HH:MM:SS.mmm` in local time. The text is cached per
 * millisecond: a busy feed prints many lines in the same millisecond.
 */
export class LocalTimestamp {
  private lastMs = Number.NaN;
  private lastText = '';

  format(ms: number): string {
    if (ms === this.lastMs) return this.lastText;
    const d = new Date(ms);
    this.lastText =
      `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ` +
      `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}.${pad3(d.getMilliseconds())}`;
    this.lastMs = ms;
    return this.lastText;
  }
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

function pad3(n: number): string {
  return n < 10 ? `00${n}` : n < 100 ? `0${n}` : String(n);
}
