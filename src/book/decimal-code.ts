/**
 * Decimal codes: a plain decimal text of up to 14 significant digits (15 when they read below 2^48) as one exact double, so a book
 * can keep its levels in typed arrays instead of Maps of strings. code = mantissa * 32 + fraction
 * digits, where the mantissa is the digits read as one integer ("0.01250" -> 1250 * 32 + 5). The
 * text comes back exactly (codeText), as long as it had no redundant leading zero ("01.5"):
 * decimalCode refuses those, and numbers it cannot hold exactly, with -1.
 *
 * A code names one spelling; canonicalCode drops the fraction's trailing zeros, so two texts of
 * one value ("0.1", "0.10000000") share it. Canonical codes compare by value through codeValue:
 * with a mantissa below 2^48 (at most 15 significant digits) and at most 22 fraction digits, mantissa / 10^digits is the
 * correctly rounded double of the decimal, and two decimals of that size never round to one double.
 */

/** Mantissas below this keep mantissa * 32 + 31 an exact double (below 2^53). */
const MANTISSA_LIMIT = 2 ** 48;
/** 10^22 is the largest power of ten a double holds exactly. */
const MAX_FRACTION_DIGITS = 22;
const POWERS_OF_TEN = Array.from({ length: MAX_FRACTION_DIGITS + 1 }, (_, n) => 10 ** n);

/** The code of a plain decimal text, or -1 when it has no code (not plain, a redundant leading zero, too many digits). */
export function decimalCode(text: string): number {
  const length = text.length;
  if (length === 0) return -1;
  let mantissa = 0;
  let i = 0;
  let c = text.charCodeAt(0);
  // The integer part: "0", or digits that do not start with 0.
  if (c === 48) {
    i = 1;
  } else {
    for (; i < length; i++) {
      c = text.charCodeAt(i);
      if (c < 48 || c > 57) break;
      mantissa = mantissa * 10 + (c - 48);
    }
    if (i === 0 || mantissa >= MANTISSA_LIMIT) return -1;
  }
  if (i === length) return mantissa * 32;
  if (text.charCodeAt(i) !== 46 || i + 1 === length || length - i - 1 > MAX_FRACTION_DIGITS) return -1;
  for (let k = i + 1; k < length; k++) {
    c = text.charCodeAt(k);
    if (c < 48 || c > 57) return -1;
    mantissa = mantissa * 10 + (c - 48);
  }
  if (mantissa >= MANTISSA_LIMIT) return -1;
  return mantissa * 32 + (length - i - 1);
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

/** The code of the value's one spelling: the fraction's trailing zeros dropped. */
export function canonicalCode(code: number): number {
  let digits = code % 32;
  let mantissa = (code - digits) / 32;
  while (digits > 0 && mantissa % 10 === 0) {
    mantissa /= 10;
    digits--;
  }
  return mantissa * 32 + digits;
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
