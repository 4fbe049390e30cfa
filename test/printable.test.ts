import { describe, expect, it } from 'vitest';
import { Diagnostics } from '../src/output/diagnostics.js';
import { printable, printableLines } from '../src/printable.js';

describe('printable', () => {
  it('escapes every control byte, so peer text stays one line and never reaches the terminal raw', () => {
    expect(printable('ok: BTC_USDT 1.5')).toBe('ok: BTC_USDT 1.5');
    expect(printable('a\nb\r\tc')).toBe('a\\nb\\r\\tc');
    expect(printable('\u001b]0;title\u0007\u001b[2J\u007f\u009b')).toBe('\\x1b]0;title\\x07\\x1b[2J\\x7f\\x9b');
    expect(printableLines('usage:\n\tpolo-ws\u001b[2J\n')).toBe('usage:\n\tpolo-ws\\x1b[2J\n');
  });

  it('is applied to every diagnostic line', () => {
    const out: string[] = [];
    const diagnostics = new Diagnostics((text) => out.push(text), () => 0);
    diagnostics.warn('server-error', 'server error: x\n2026-01-01 00:00:00.000 TRADE forged');
    diagnostics.error('close reason \u001b[2J');
    diagnostics.info('new pair listed: A\rB');
    expect(out.join('').split('\n')).toHaveLength(4);
    expect(out.join('')).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
  });
});
