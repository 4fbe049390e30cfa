import type { z } from 'zod';

/*
 * One line of text for a message, from whatever a peer or the system handed over: escaped so no
 * control byte reaches the terminal (a raw newline would forge a line, an escape sequence retitle
 * or clear it), cut to an excerpt, an error described, a zod issue worded. A leaf: every layer
 * may use it, it uses none.
 */

/** C0 controls, DEL and C1 controls: every byte a terminal may act on. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const CONTROLS = /[\u0000-\u001f\u007f-\u009f]/g;
/** The same, but newline and tab: for text that is several lines by design (help, usage). */
const CONTROLS_BUT_LAYOUT = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function escapeOne(char: string): string {
  return NAMED[char] ?? `\\x${char.charCodeAt(0).toString(16).padStart(2, '0')}`;
}

/** `text` on one line with every control character escaped (`\n`, `\x1b`). */
export function printable(text: string): string {
  return CONTROL.test(text) ? text.replace(CONTROLS, escapeOne) : text;
}

/** `text` with every control character but newline and tab escaped: for multi-line output. */
export function printableLines(text: string): string {
  return CONTROL.test(text) ? text.replace(CONTROLS_BUT_LAYOUT, escapeOne) : text;
}

/** A short, one-line description of a network error: its message and code. */
export function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  const inner = (error as { cause?: unknown }).cause;
  let message = error.message;
  if (inner instanceof Error && (message === '' || message === 'fetch failed')) message = inner.message;
  if (error instanceof AggregateError && error.errors.length > 0) message = describe(error.errors[0]);
  const withCode = typeof code === 'string' && !message.includes(code) ? `${message} (${code})` : message;
  return withCode.replace(/\s+/g, ' ').trim();
}

/** The first characters of a body, on one line, for an error message. */
export function excerpt(text: string, max = 120): string {
  // Only the start is flattened: a body or frame may be megabytes.
  const head = text.length > max * 4 ? text.slice(0, max * 4) : text;
  const flat = head.replace(/\s+/g, ' ').trim();
  return flat.length > max || head.length < text.length ? `${flat.slice(0, max)}…` : flat;
}

/** A peer's text as a short excerpt in double quotes, control characters escaped JSON-style. */
export function quoted(text: string, max: number): string {
  return JSON.stringify(excerpt(text, max));
}

/** The first thing zod found wrong, on one line: "data.0.id: Invalid input: expected number". */
export function zodIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (issue === undefined) return 'invalid';
  return issue.path.length === 0 ? issue.message : `${issue.path.join('.')}: ${issue.message}`;
}

/**
 * A server's error value as text: a string as sent, anything else as (at most 200 characters of)
 * its JSON. Never throws: 100k-deep nesting overflows JSON.stringify's stack.
 */
export function errorText(value: unknown): string {
  if (typeof value === 'string') return value;
  try {
    return (JSON.stringify(value) ?? String(value)).slice(0, 200);
  } catch {
    return Array.isArray(value) ? '(a list too deep to show)' : '(a value too deep to show)';
  }
}
