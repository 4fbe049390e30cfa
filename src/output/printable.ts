/**
 * Text from a peer (a server's error, a close reason, an HTTP body, a bad frame) is shown on
 * stderr only escaped: a raw newline would forge a line, an escape sequence would reach the
 * terminal (retitle it, clear it). These helpers let no control byte through.
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
