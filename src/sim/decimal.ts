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
