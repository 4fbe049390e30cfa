/**
 * Decimal codes: a plain decimal text of up to 14 significant digits (15 when they read below 2^48)
 * as one exact double, so a book can keep its levels in typed arrays instead of Maps of strings.
 * code = mantissa * 32 + fraction digits, where the mantissa is the digits read as one integer
 * ("0.01250" -> 1250 * 32 + 5). The text comes back exactly (codeText), as long as it had no
 * redundant leading zero ("01.5"): decimalCode refuses those, and numbers it cannot hold exactly,
 * with -1.
 *
 * A code names one spelling; a canonical code (readCodes) drops the fraction's trailing zeros, so
 * two texts of one value ("0.1", "0.10000000") share it. Canonical codes compare by value through
 * codeValue: with a mantissa below 2^48 (at most 15 significant digits) and at most 22 fraction
 * digits, mantissa / 10^digits is the correctly rounded double of the decimal, and two decimals of
 * that size never round to one double.
 */

import { isDecimalText } from './guards.js';
import type { Level, LevelItem, Side } from './types.js';

/** Mantissas below this keep mantissa * 32 + 31 an exact double (below 2^53). */
const MANTISSA_LIMIT = 2 ** 48;
/** 10^22 is the largest power of ten a double holds exactly. */
const MAX_FRACTION_DIGITS = 22;
const POWERS_OF_TEN = Array.from({ length: MAX_FRACTION_DIGITS + 1 }, (_, n) => 10 ** n);

/** Where readCodes puts what it read: the text's code and the code of its value's one spelling. */
export interface Codes {
  code: number;
  canonical: number;
}

const scratch: Codes = { code: -1, canonical: -1 };
/** As long as any text with a code: 15 digits, a point, 22 fraction digits. */
const textBytes = new Uint8Array(38);

/** The code of a plain decimal text, or -1 when it has no code (not plain, a redundant leading zero, too many digits). */
export function decimalCode(text: string): number {
  return readCodes(text, scratch) ? scratch.code : -1;
}

/**
 * Reads a plain decimal text's code and canonical code (its fraction's trailing zeros dropped: "0.10"
 * and "0.1" share it) into `out`; false when it has no code (`out` is then not to be read).
 */
export function readCodes(text: string, out: Codes): boolean {
  const length = text.length;
  if (length > textBytes.length) return false;
  // Copied by hand: encodeInto's call and result object cost more than these few characters.
  for (let i = 0; i < length; i++) {
    const c = text.charCodeAt(i);
    if (c > 0x7f) return false;
    textBytes[i] = c;
  }
  return readDecimalBytes(textBytes, 0, length, out) === length;
}

/**
 * Reads a decimal with a code from bytes[start] on (ASCII, as the scanners hold a frame), up to the
 * first byte that cannot continue it or `limit`: its end, with its codes in `out`, or -1 when what
 * is there is no decimal with a code (then `out` is as it was). One pass, which is also the
 * scanners' check of a level's price and size: they hand the book the codes of what they read.
 */
export function readDecimalBytes(bytes: Uint8Array, start: number, limit: number, out: Codes): number {
  let mantissa = 0;
  let i = start;
  let c = bytes[i] as number;
  // The integer part: "0", or digits that do not start with 0.
  if (c === 48) {
    c = bytes[++i] as number;
    if (i < limit && c >= 48 && c <= 57) return -1;
  } else {
    while (i < limit && c >= 48 && c <= 57) {
      mantissa = mantissa * 10 + (c - 48);
      c = bytes[++i] as number;
    }
    if (i === start || mantissa >= MANTISSA_LIMIT) return -1;
  }
  // The canonical code so far: up to the last fraction digit that is not 0.
  let canonical = mantissa * 32;
  let digits = 0;
  if (i < limit && c === 46) {
    c = bytes[++i] as number;
    while (i < limit && c >= 48 && c <= 57) {
      mantissa = mantissa * 10 + (c - 48);
      digits++;
      if (c !== 48) canonical = mantissa * 32 + digits;
      c = bytes[++i] as number;
    }
    if (digits === 0 || digits > MAX_FRACTION_DIGITS || mantissa >= MANTISSA_LIMIT) return -1;
  }
  out.code = mantissa * 32 + digits;
  out.canonical = canonical;
  return i;
}

/**
 * Whether `value` is a plain decimal string (isDecimalText), reading its codes into `out` on the way
 * (-1 when it has none): one pass over the text for both, for decoders that check what they code.
 */
export function readDecimal(value: unknown, out: Codes): value is string {
  if (typeof value === 'string' && readCodes(value, out)) return true;
  out.code = -1;
  out.canonical = -1;
  return isDecimalText(value);
}

/** A level item with its texts' codes, for decoders that do not read bytes (the scanners' items carry them too). */
export function codedLevel(side: Side, price: string, size: string): LevelItem {
  const coded = readCodes(price, scratch);
  const priceKey = coded ? scratch.canonical : -1;
  const priceCode = coded ? scratch.code : -1;
  return { kind: 'level', side, price, size, priceKey, priceCode, sizeCode: decimalCode(size) };
}

/** A snapshot's level with its texts' codes. */
export function codedSnapshotLevel(price: string, size: string): Level {
  const coded = readCodes(price, scratch);
  const priceKey = coded ? scratch.canonical : -1;
  const priceCode = coded ? scratch.code : -1;
  return { price, size, priceKey, priceCode, sizeCode: decimalCode(size) };
}

/** The text a code was made from. */
export function codeText(code: number): string {
  const digits = code % 32;
  const mantissa = String((code - digits) / 32);
  if (digits === 0) return mantissa;
  const padded = mantissa.length > digits ? mantissa : '0'.repeat(digits + 1 - mantissa.length) + mantissa;
  const point = padded.length - digits;
  return `${padded.slice(0, point)}.${padded.slice(point)}`;
}

/** Whether the code's value is zero. */
export function isZeroCode(code: number): boolean {
  return code < 32;
}

/** The value of a code as a double: distinct values (of canonical codes or not) give distinct doubles, in order. */
export function codeValue(code: number): number {
  const digits = code % 32;
  return (code - digits) / 32 / (POWERS_OF_TEN[digits] as number);
}
