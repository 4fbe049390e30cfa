/**
 * Exchange amounts as integers of 1e-8 units. Poloniex sends prices and sizes as decimal strings
 * with exactly 8 decimals; keeping them as bigints means no float ever rounds a digit away
 * (a size like 403171621.65163678 has more digits than a double holds).
 */

/** Units per whole coin. */
export const SCALE = 100_000_000n;

/** Renders units as a decimal string with exactly 8 decimals, e.g. 2104500n -> "0.02104500". */
export function formatFixed8(units: bigint): string {
  const negative = units < 0n;
  const abs = negative ? -units : units;
  const whole = abs / SCALE;
  const fraction = (abs % SCALE).toString().padStart(8, '0');
  return `${negative ? '-' : ''}${whole}.${fraction}`;
}

/**
 * Renders `units` of 10^-`scale` as a decimal string without a fixed scale, the way the current
 * API sends numbers: trailing zeros trimmed, no trailing dot ("24983.89", "0.5", "0").
 */
export function formatTrimmed(units: bigint, scale = 8): string {
  const negative = units < 0n;
  const abs = negative ? -units : units;
  const unit = 10n ** BigInt(scale);
  const fraction = (abs % unit).toString().padStart(scale, '0').replace(/0+$/, '');
  const text = fraction === '' ? `${abs / unit}` : `${abs / unit}.${fraction}`;
  return negative ? `-${text}` : text;
}

/**
 * Reads a decimal string of at most `scale` decimals as units of 10^-`scale`, so "0", "0.0" and
 * "0.00000000" all read as 0n. @throws SyntaxError for anything else.
 */
export function parseUnits(text: string, scale = 8): bigint {
  const match = /^(-?)(\d+)(?:\.(\d*))?$/.exec(text);
  const fraction = match?.[3] ?? '';
  if (!match || fraction.length > scale) throw new SyntaxError(`not a decimal of at most ${scale} places: "${text}"`);
  const units = BigInt(match[2] ?? '0') * 10n ** BigInt(scale) + BigInt(fraction.padEnd(scale, '0') || '0');
  return match[1] === '-' ? -units : units;
}
