/**
 * Hand-written checks for the hot path. Each accepts only what the protocol's zod schema accepts;
 * a value they do not plainly accept goes to the schema, which decides and words the error. They
 * exist because validation must not cost more than the JSON parse itself.
 */

/** A non-negative safe integer: a channel id or sequence number. */
export function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/** A non-negative integer as a number or as digits (legacy trade ids and pair ids). */
export function isIntegerText(value: unknown): value is number | string {
  return isCount(value) || (typeof value === 'string' && value.length <= 30 && digitRun(value, 0) === value.length && value.length > 0);
}

/** Digits only, as the schemas' integer text. */
export const INTEGER_TEXT = /^\d{1,30}$/;

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

/** A string or number field, as text (v3 sends some numbers either way). */
export function isTextLike(value: unknown): value is string | number {
  return typeof value === 'string' || typeof value === 'number';
}

/** A list of [price, size, ...] levels, or absent. */
export function isLevelList(value: unknown): boolean {
  if (value === undefined) return true;
  if (!Array.isArray(value)) return false;
  for (const level of value as unknown[]) {
    if (!Array.isArray(level) || level.length < 2 || !isDecimalText(level[0]) || !isDecimalText(level[1])) return false;
  }
  return true;
}

/** A plain object (not an array, not null). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
