import { DECIMAL_PATTERN } from '../book/decimal.js';

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
  return isCount(value) || (typeof value === 'string' && INTEGER_TEXT.test(value));
}

/** Digits only, as the schemas' integer text. */
export const INTEGER_TEXT = /^\d{1,30}$/;

/** A plain non-negative decimal string (a price or size). */
export function isDecimalText(value: unknown): value is string {
  return typeof value === 'string' && DECIMAL_PATTERN.test(value);
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
