import { LegacyOracle } from '../dist/sim/legacy-oracle.js';

/**
 * The simulator's oracle keeps at most 200,000 records per connection (so an endless demo cannot
 * grow memory) and then refuses to render. The main case sends 200,000 market frames plus one
 * snapshot per pair, just over that, so the bench lifts the cap in its own process. The rendering
 * is untouched. Returns false when the oracle's shape changed and the cap could not be lifted.
 */
export function liftOracleCap() {
  const original = LegacyOracle.prototype.push;
  if (typeof original !== 'function') return false;
  LegacyOracle.prototype.push = function push(record) {
    if (Array.isArray(this.records)) this.records.push(record);
    else original.call(this, record);
  };
  return true;
}

/**
 * What the simulator says it sent on one connection: the lines a correct client prints (the
 * reference formats, snapshot depth 1; in `expected` when `keepLines`), of which ticker lines,
 * and the book updates (every level change or removal plus every level of every snapshot, from a
 * full-depth rendering). Counts are undefined when the oracle cannot render (`error` says why).
 * The connection's log is dropped afterwards: a dozen logs of 200,000 records would otherwise
 * hold gigabytes in the bench process.
 */
export function oracleCounts(connection, { keepLines = false } = {}) {
  try {
    const lines = connection.expectedLines(1);
    let tickerLines = 0;
    for (const line of lines) if (line.startsWith('TICKER UPDATE ')) tickerLines++;
    let bookUpdates = 0;
    for (const line of connection.expectedLines(Number.MAX_SAFE_INTEGER)) {
      if (line.startsWith('Add or change ') || line.startsWith('Remove ') || line.includes(' book: ')) bookUpdates++;
    }
    const expected = keepLines ? lines : undefined;
    return { lines: lines.length, tickerLines, bookUpdates, marketFrames: connection.framesSent, expected, error: undefined };
  } catch (error) {
    return { lines: undefined, tickerLines: undefined, bookUpdates: undefined, marketFrames: connection.framesSent, error: String(error) };
  } finally {
    dropLog(connection);
  }
}

/** Empties a connection's oracle log; rendering it again then throws (truncated) rather than lie. */
function dropLog(connection) {
  const recorder = connection.oracle;
  if (recorder === undefined || !Array.isArray(recorder.records)) return;
  recorder.records = [];
  recorder.truncated = true;
}
