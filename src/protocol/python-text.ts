/**
 * The reference script printed legacy ticker columns with Python's `str.format`: strings as sent,
 * None, True/False, ints exactly, floats as Python's repr ("5.0", "1e+16", "1e-05"). JSON.parse
 * cannot tell 5.0 from 5 and rounds big ints, so numbers are rendered from their JSON text.
 */

/** A scalar as the script's `str.format` showed it; `raw` is a number's JSON text. */
export function pythonText(value: string | number | boolean | null, raw?: string): string {
  if (value === null) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'string') return value;
  if (raw !== undefined && /^-?\d+$/.test(raw)) return BigInt(raw).toString();
  if (raw === undefined && Number.isInteger(value) && Math.abs(value) < 1e16) return String(value);
  return pythonFloat(value);
}

/** Python's repr of a float: the shortest digits that round-trip, scientific below 1e-4 and from 1e16. */
export function pythonFloat(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const [mantissa = '', exponentText = '0'] = Math.abs(x).toExponential().split('e');
  const exponent = Number(exponentText);
  const digits = mantissa.replace('.', '');
  const sign = x < 0 ? '-' : '';
  if (exponent < -4 || exponent >= 16) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    return `${sign}${m}e${exponent < 0 ? '-' : '+'}${String(Math.abs(exponent)).padStart(2, '0')}`;
  }
  if (exponent < 0) return `${sign}0.${'0'.repeat(-exponent - 1)}${digits}`;
  const whole = digits.slice(0, exponent + 1).padEnd(exponent + 1, '0');
  const fraction = digits.slice(exponent + 1) || '0';
  return `${sign}${whole}.${fraction}`;
}

/**
 * The JSON text of each number in the array that is element `index` of the top-level array in
 * `text` (undefined for values that are not numbers), or undefined if `text` is not so shaped.
 * Only called for frames JSON.parse already accepted, so it need not diagnose.
 */
export function rawNumbersOf(text: string, index: number): (string | undefined)[] | undefined {
  let i = skipSpace(text, 0);
  if (text[i] !== '[') return undefined;
  i = skipSpace(text, i + 1);
  for (let n = 0; n < index; n++) {
    i = skipSpace(text, skipValue(text, i));
    if (text[i] !== ',') return undefined;
    i = skipSpace(text, i + 1);
  }
  if (text[i] !== '[') return undefined;
  const out: (string | undefined)[] = [];
  i = skipSpace(text, i + 1);
  if (text[i] === ']') return out;
  for (;;) {
    const end = skipValue(text, i);
    const c = text[i];
    out.push(c === '-' || (c !== undefined && c >= '0' && c <= '9') ? text.slice(i, end) : undefined);
    i = skipSpace(text, end);
    if (text[i] === ']') return out;
    if (text[i] !== ',') return undefined;
    i = skipSpace(text, i + 1);
  }
}

function skipSpace(text: string, i: number): number {
  while (i < text.length && (text[i] === ' ' || text[i] === '\n' || text[i] === '\r' || text[i] === '\t')) i++;
  return i;
}

/** The index just past the JSON value starting at `i`: strings with escapes, nested arrays and objects. */
function skipValue(text: string, i: number): number {
  const c = text[i];
  if (c === '"') {
    for (i++; i < text.length; i++) {
      if (text[i] === '\\') i++;
      else if (text[i] === '"') return i + 1;
    }
    return i;
  }
  if (c === '[' || c === '{') {
    let depth = 0;
    for (; i < text.length; i++) {
      const d = text[i];
      if (d === '"') i = skipValue(text, i) - 1;
      else if (d === '[' || d === '{') depth++;
      else if (d === ']' || d === '}') {
        depth--;
        if (depth === 0) return i + 1;
      }
    }
    return i;
  }
  while (i < text.length && text[i] !== ',' && text[i] !== ']' && text[i] !== '}' && text[i] !== ' ' && text[i] !== '\n' && text[i] !== '\r' && text[i] !== '\t') i++;
  return i;
}
