/** Column headings, with how each row field is rendered. */
const COLUMNS = [
  { head: 'row', left: true, cell: (row) => row.label },
  { head: 'frames', cell: (row) => integer(row.frames) },
  { head: 'frames/s', cell: (row) => integer(perSecond(row.frames, row.wall)) },
  { head: 'book upd/s', cell: (row) => integer(perSecond(row.bookUpdates, row.wall)) },
  { head: 'lines/s', cell: (row) => (row.lines === null ? '-' : integer(perSecond(row.lines, row.wall))) },
  { head: 'CPU s', cell: (row) => fixed(row.cpu, 2) },
  { head: 'peak RSS MB', cell: (row) => fixed(row.rssMb, 0) },
  { head: 'CPU / (a)', cell: (row, base) => (base === undefined || row.cpu === undefined ? '' : fixed(row.cpu / base, 2)) },
];

function perSecond(count, seconds) {
  return count === undefined || seconds === undefined || seconds <= 0 ? undefined : count / seconds;
}

function integer(value) {
  return value === undefined ? '?' : Math.round(value).toLocaleString('en-US');
}

function fixed(value, digits) {
  return value === undefined ? '?' : value.toFixed(digits);
}

/**
 * Renders the cases as one text table: a heading line per case, then its rows. A row is
 * {label, frames, wall, bookUpdates, lines (null: prints none), cpu, rssMb} or {label, text} for a
 * row that only says something (n/a, a warning). `CPU / (a)` divides by the case's row (a).
 */
export function renderTable(cases) {
  const cells = [];
  for (const { title, rows } of cases) {
    cells.push({ heading: title });
    const base = rows.find((row) => row.baseline === true)?.cpu;
    for (const row of rows) cells.push(row.text === undefined ? { values: COLUMNS.map((c) => c.cell(row, base)) } : { label: row.label, text: row.text });
  }
  const widths = COLUMNS.map((column, i) => Math.max(column.head.length, ...cells.filter((c) => c.values).map((c) => c.values[i].length)));
  widths[0] = Math.max(widths[0], ...cells.filter((c) => c.text !== undefined).map((c) => c.label.length));
  const line = (values) => values.map((value, i) => (COLUMNS[i].left ? value.padEnd(widths[i]) : value.padStart(widths[i]))).join('  ');
  const out = [line(COLUMNS.map((c) => c.head)), widths.map((w) => '-'.repeat(w)).join('  ')];
  for (const cell of cells) {
    if (cell.heading !== undefined) out.push(cell.heading);
    else if (cell.values !== undefined) out.push(line(cell.values));
    else out.push(`${cell.label.padEnd(widths[0])}  ${cell.text}`);
  }
  return out.join('\n');
}
