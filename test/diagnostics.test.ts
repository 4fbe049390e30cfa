import { describe, expect, it } from 'vitest';
import { Diagnostics } from '../src/output/diagnostics.js';
import { backoffDelay } from '../src/backoff.js';
import { parseRetryAfter } from '../src/markets/http.js';

describe('Diagnostics', () => {
  it('shows a burst of warnings of one kind, then counts the rest', () => {
    let now = 0;
    const out: string[] = [];
    const d = new Diagnostics((t) => out.push(t), () => now, 2, 1000);
    for (let i = 0; i < 5; i++) d.warn('bad-frame', `bad ${i}`);
    d.warn('gap', 'gap 1');
    expect(out).toEqual(['polo-ws: warning: bad 0\n', 'polo-ws: warning: bad 1\n', 'polo-ws: warning: gap 1\n']);
    now = 1500;
    d.warn('bad-frame', 'bad 5');
    expect(out.slice(3)).toEqual(['polo-ws: warning: 3 more bad-frame warnings not shown\n', 'polo-ws: warning: bad 5\n']);
  });

  it('reports what it held back when flushed at exit', () => {
    const out: string[] = [];
    const d = new Diagnostics((t) => out.push(t), () => 0, 1, 1000);
    d.warn('x', 'one');
    d.warn('x', 'two');
    d.flushHeld();
    expect(out).toEqual(['polo-ws: warning: one\n', 'polo-ws: warning: 1 more x warning not shown\n']);
  });
});

describe('reconnect backoff', () => {
  it('waits under a second first, doubles, and never exceeds 30 s', () => {
    expect(backoffDelay(0, () => 0)).toBe(250);
    expect(backoffDelay(0, () => 1)).toBe(500);
    expect(backoffDelay(3, () => 1)).toBe(4000);
    expect(backoffDelay(50, () => 1)).toBe(30_000);
    expect(backoffDelay(50, () => 0)).toBe(15_000);
  });
});

describe('Retry-After', () => {
  it('reads seconds and HTTP dates, caps them at a minute, and ignores nonsense', () => {
    const now = Date.parse('2026-11-25T10:00:00Z');
    expect(parseRetryAfter('3', now)).toBe(3000);
    expect(parseRetryAfter('Wed, 25 Nov 2026 10:00:05 GMT', now)).toBe(5000);
    expect(parseRetryAfter('86400', now)).toBe(60_000);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });
});
