/**
 * Hand-written checks for the hot path. Each accepts only what the protocol's zod schema accepts;
 * a value they do not plainly accept goes to the schema, which decides and words the error. They
 * exist because validation must not cost more than the JSON parse itself.
 */

/** A non-negative safe integer: a channel id or sequence number. */
export function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/** Digits of an integer sent as text, at most (isIntegerText, INTEGER_TEXT, the legacy scanner). */
export const INTEGER_TEXT_DIGITS = 30;

/** A non-negative integer as a number or as digits (legacy trade ids and pair ids). */
export function isIntegerText(value: unknown): value is number | string {
  return isCount(value) || (typeof value === 'string' && value.length <= INTEGER_TEXT_DIGITS && digitRun(value, 0) === value.length && value.length > 0);
}

/** Digits of a time sent as text, at most (the v3 schema's timeToken, isTimeToken, the v3 scanner). */
export const TIME_TOKEN_DIGITS = 20;

/** Digits only, as the schemas' integer text. */
export const INTEGER_TEXT = new RegExp(`^\\d{1,${INTEGER_TEXT_DIGITS}}$`);

/**
 * A plain non-negative decimal string (a price or size): DECIMAL_PATTERN, checked by a character
 * loop, which costs a fraction of the regular expression on every price and size of the feed.
 */
export function isDecimalText(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const whole = digitRun(value, 0);
  if (whole === 0 || whole > 40) return false;
  if (whole === value.length) return true;
  if (value.charCodeAt(whole) !== 46) return false;
  const fraction = digitRun(value, whole + 1) - whole - 1;
  return fraction > 0 && fraction <= 40 && whole + 1 + fraction === value.length;
}

/** The index of the first character at or after `from` that is not an ASCII digit. */
function digitRun(text: string, from: number): number {
  let i = from;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) break;
    i++;
  }
  return i;
}

/** A non-negative plain decimal: digits, optionally a point and more digits. No sign, no exponent. */
export const DECIMAL_PATTERN = /^\d{1,40}(?:\.\d{1,40})?$/;

/**
 * The input contract: exchange text reaches a line only as a plain token, so no value can carry a
 * newline, a separator of the line format, or an escape sequence into stdout. Decimals (prices,
 * sizes, ticker columns), ids and times (digits, or an id's letters, digits, '_' and '-'), and
 * pair names (see isSymbolText). Anything else makes its frame a bad frame.
 */

/** A plain decimal that may be negative (a ticker's daily change): "-0.0021". */
export function isSignedDecimalText(value: unknown): value is string {
  return typeof value === 'string' && isDecimalText(value.charCodeAt(0) === 45 ? value.slice(1) : value);
}

/** Signed decimal text; ticker numbers sent as JSON numbers must read as plain decimals too. */
export const SIGNED_DECIMAL_TEXT = /^-?\d{1,40}(?:\.\d{1,40})?$/;

/** A ticker column: signed decimal text, or a finite number whose text is a plain decimal (no exponent). */
export function isNumberToken(value: unknown): value is string | number {
  if (typeof value === 'string') return isSignedDecimalText(value);
  return typeof value === 'number' && Number.isFinite(value) && isSignedDecimalText(String(value));
}

/** An id: a non-negative safe integer, or 1-64 letters, digits, '_' or '-' ("60001001"). */
export const ID_TEXT = /^[A-Za-z0-9_-]{1,64}$/;

export function isIdToken(value: unknown): value is string | number {
  return isCount(value) || (typeof value === 'string' && ID_TEXT.test(value));
}


/** A list of [price, size, ...] levels, or absent. */
export function isLevelList(value: unknown): boolean {
  return levelListIssue(value) === undefined;
}

/**
 * What is wrong with a list of [price, size, ...] levels ("5.1: not a plain decimal"), or undefined
 * when it is fine (or absent). Stops at the first bad level: a frame of a million bad levels costs
 * no more to refuse than one.
 */
export function levelListIssue(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) return 'expected a list of [price, size] levels';
  for (let i = 0; i < value.length; i++) {
    const level: unknown = value[i];
    if (!Array.isArray(level) || level.length < 2) return `${i}: expected [price, size]`;
    if (!isDecimalText(level[0])) return `${i}.0: not a plain decimal`;
    if (!isDecimalText(level[1])) return `${i}.1: not a plain decimal`;
  }
  return undefined;
}

/** A plain object (not an array, not null). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export { SYMBOL_TEXT, isSymbolText } from '../markets/market-map.js';
