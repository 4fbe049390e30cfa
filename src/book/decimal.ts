/**
 * Exact decimal strings. Prices and sizes stay the exchange's text from frame to output; the book
 * orders and matches them by exact value, never through a float (a size such as
 * "403171621.65163678" does not survive one, and two prices a float cannot tell apart are two levels).
 */

export { DECIMAL_PATTERN } from '../protocol/guards.js';

/** True when the decimal string is zero ("0", "0.00000000"): only zeros and at most a point. */
export function isZeroDecimal(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 48 && c !== 46) return false;
  }
  return text.length > 0;
}

/**
 * Compares two plain decimal strings by value, in any spelling ("0.1" equals "00.10000000"),
 * without allocating: negative when a < b, zero when equal, positive when a > b.
 */
export function compareDecimal(a: string, b: string): number {
  if (a === b) return 0;
  // The common case: one exchange, one format. Same length and same point position means the
  // digits line up, and text order is value order.
  if (a.length === b.length) {
    const point = a.indexOf('.');
    if (point === b.indexOf('.')) return a < b ? -1 : 1;
  }
  // Skip leading zeros of the integer parts.
  let ia = 0;
  let ib = 0;
  while (ia < a.length - 1 && a.charCodeAt(ia) === 48 && a.charCodeAt(ia + 1) !== 46) ia++;
  while (ib < b.length - 1 && b.charCodeAt(ib) === 48 && b.charCodeAt(ib + 1) !== 46) ib++;
  const pa = indexOfPoint(a);
  const pb = indexOfPoint(b);
  // A longer integer part is larger.
  if (pa - ia !== pb - ib) return pa - ia - (pb - ib);
  for (let k = 0; k < pa - ia; k++) {
    const d = a.charCodeAt(ia + k) - b.charCodeAt(ib + k);
    if (d !== 0) return d;
  }
  // Fractions digit by digit, a missing digit counting as 0.
  const fa = a.length - pa - 1;
  const fb = b.length - pb - 1;
  for (let k = 0; k < Math.max(fa, fb); k++) {
    const da = k < fa ? a.charCodeAt(pa + 1 + k) : 48;
    const db = k < fb ? b.charCodeAt(pb + 1 + k) : 48;
    if (da !== db) return da - db;
  }
  return 0;
}

/**
 * One text per value ("00.10" and "0.1" both give "0.1"): leading zeros of the integer part and
 * trailing zeros of the fraction dropped.
 */
export function canonicalDecimal(text: string): string {
  let start = 0;
  while (start < text.length - 1 && text.charCodeAt(start) === 48 && text.charCodeAt(start + 1) !== 46) start++;
  let end = text.length;
  if (text.indexOf('.') >= 0) {
    while (text.charCodeAt(end - 1) === 48) end--;
    if (text.charCodeAt(end - 1) === 46) end--;
  }
  return text.slice(start, end);
}

function indexOfPoint(text: string): number {
  const point = text.indexOf('.');
  return point < 0 ? text.length : point;
}

/**
 * a - b, exactly, for plain decimal strings (the spread of a book). The result keeps the larger
 * scale of the two and a leading "-" when negative.
 */
export function subtractDecimal(a: string, b: string): string {
  const scale = Math.max(fractionDigits(a), fractionDigits(b));
  const diff = scaled(a, scale) - scaled(b, scale);
  const negative = diff < 0n;
  const digits = (negative ? -diff : diff).toString().padStart(scale + 1, '0');
  const whole = digits.slice(0, digits.length - scale);
  const fraction = digits.slice(digits.length - scale);
  return `${negative ? '-' : ''}${whole}${scale > 0 ? `.${fraction}` : ''}`;
}

/** a + b, exactly, for plain non-negative decimal strings (a cumulative size); the larger scale of the two. */
export function addDecimal(a: string, b: string): string {
  const scale = Math.max(fractionDigits(a), fractionDigits(b));
  return unscaled(scaled(a, scale) + scaled(b, scale), scale);
}

/** (a + b) / 2, exactly: one more fraction digit when the sum is odd (the mid of a book). */
export function midDecimal(a: string, b: string): string {
  const scale = Math.max(fractionDigits(a), fractionDigits(b));
  const sum = scaled(a, scale) + scaled(b, scale);
  return sum % 2n === 0n ? unscaled(sum / 2n, scale) : unscaled(sum * 5n, scale + 1);
}

function unscaled(value: bigint, scale: number): string {
  const negative = value < 0n;
  const digits = (negative ? -value : value).toString().padStart(scale + 1, '0');
  const whole = digits.slice(0, digits.length - scale);
  return `${negative ? '-' : ''}${whole}${scale > 0 ? `.${digits.slice(digits.length - scale)}` : ''}`;
}

/** How many digits follow the point ("0.0210" has 4, "7" has 0). */
export function fractionDigits(text: string): number {
  const point = text.indexOf('.');
  return point < 0 ? 0 : text.length - point - 1;
}

function scaled(text: string, scale: number): bigint {
  const point = text.indexOf('.');
  const whole = point < 0 ? text : text.slice(0, point);
  const fraction = point < 0 ? '' : text.slice(point + 1);
  return BigInt(whole + fraction.padEnd(scale, '0'));
}

/** Below this length V8 copies a slice; from it on, a slice is a view (SlicedString::kMinLength). */
const VIEW_LENGTH = 13;

/**
 * `view` (a string read from a frame) as a string of its own, for texts a book keeps for hours: a
 * slice of 13 characters or more is a view that keeps the whole frame alive (V8's SlicedString), so
 * a book of views would hold a frame per level. JSON.parse always copies.
 */
export function detached(view: string): string {
  // Concatenation then slicing flattens: the result's parent is the one-character-longer copy.
  return view.length < VIEW_LENGTH ? view : ` ${view}`.slice(1);
}
