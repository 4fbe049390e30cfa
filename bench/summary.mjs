function ratio(numerator, denominator) {
  return numerator === undefined || denominator === undefined || denominator <= 0 ? undefined : numerator / denominator;
}

function shown(value) {
  return value === undefined ? 'n/a' : value.toFixed(2);
}

/** When (d) lost the feed early, its CPU per frame sent against the CLI's: a lower bound, like for like. */
function printPerFrame(result, busy) {
  const d = result.d.row;
  const c = result.c.row;
  const perFrame = (cpu) => ratio(ratio(cpu, d.frames), ratio(c.cpu, c.frames));
  const without = busy === undefined ? '' : `, without its busy loop >= ${shown(perFrame(d.cpu - busy))}`;
  console.log(`  (d) read at most ${d.frames} of ${result.spec.frames} frames (see its WARNING); per frame: >= ${shown(perFrame(d.cpu))}${without}`);
}

/** The acceptance ratios, from the main case; the other cases' CLI ratio for comparison. */
function printRatios(results) {
  for (const result of results) {
    const cliOverParse = ratio(result.c?.row.cpu, result.a?.row.cpu);
    if (result.spec.key !== 'main') {
      console.log(`${result.spec.key}: CLI CPU / parse-only CPU = ${shown(cliOverParse)}`);
      if (result.p !== undefined) console.log(`${result.spec.key}: CLI --publish CPU / CLI CPU = ${shown(ratio(result.p.row.cpu, result.c?.row.cpu))} (target <= 1.5)`);
      continue;
    }
    console.log(`CLI CPU / parse-only CPU = ${shown(cliOverParse)} (target <= 1.5)`);
    const referenceCpu = result.d?.row.cpu;
    const line = `reference CPU / CLI CPU = ${shown(ratio(referenceCpu, result.c?.row.cpu))} (target >= 3.5)`;
    const busy = result.d?.busyLoopCpu;
    const withoutBusy = busy === undefined || referenceCpu === undefined ? undefined : ratio(referenceCpu - busy, result.c?.row.cpu);
    console.log(withoutBusy === undefined ? line : `${line}; without its busy loop ${shown(withoutBusy)}`);
    if (result.d?.complete === false && result.d.row.frames !== undefined) printPerFrame(result, busy);
  }
}

/** Notes that say what each number is. */
function printNotes(results) {
  const main = results.find((result) => result.spec.key === 'main');
  const notes = [
    'frames: market frames (book updates, tickers) the simulator sent on that connection; the one snapshot per pair and the ack are not counted.',
    'frames/s, book upd/s, lines/s: per second of the client\'s wall time from process start (node/python start-up, REST, subscribing included) to exit; (b) around the feeding alone; (d) to the end of its websocket thread.',
    'book upd/s: level changes and removals plus every level of every snapshot, counted from the simulator\'s log of what it sent on that connection.',
    'lines/s: (c) writes to /dev/null, so its count is the oracle\'s for that connection; a separate untimed CLI run with stdout to a file is checked line for line against its own connection\'s oracle (see "line check"). (b) counts what the pipeline wrote; (b\') replays the same file. (d) is the oracle\'s count minus ticker lines: the script\'s ticker print is commented out.',
    'CPU s, peak RSS: user+sys and max RSS of that client process alone (os.wait4 via bench/rusage.py); the simulator runs in the bench process and is not counted. (b): process.cpuUsage() around the feeding, in a fresh node process.',
  ];
  if (main?.a.cpus.length > 1) {
    const list = (result) => result.cpus.map((cpu) => shown(cpu)).join(', ');
    notes.push(`main (a) and (c) ran ${main.a.cpus.length} times each, alternating; the run of median CPU is shown. CPU s of each run: (a) ${list(main.a)}; (c) ${list(main.c)}.`);
  }
  const burst = results.find((result) => result.spec.key === 'burst');
  if (burst?.a.cpus.length > 0) {
    const list = (cpus) => cpus.map((cpu) => (cpu === undefined ? '?' : shown(cpu))).join(', ');
    const published = burst.p?.cpus === undefined ? '' : `; (c+p) ${list(burst.p.cpus)}; its nats-server ${list(burst.p.natsCpus.map((n) => n && n.user + n.sys))}`;
    notes.push(`burst (a), (c)${burst.p?.cpus === undefined ? '' : ' and (c+p)'} ran ${burst.a.cpus.length} time${burst.a.cpus.length === 1 ? '' : 's'} each, alternating; the run of median CPU is shown. CPU s of each run: (a) ${list(burst.a.cpus)}; (c) ${list(burst.c.cpus)}${published}.`);
  }
  if (burst?.p?.cpus !== undefined) {
    notes.push(
      `(c+p): (c) plus --publish into a nats-server started by the bench (JetStream, file store, a fresh server and empty stream per run); its CPU s is polo-ws's alone, from start to its exit once JetStream confirmed every event. The nats-server's own CPU (from /proc, its start-up excluded) is shown under it, not in the ratio.`,
    );
  }
  for (const result of [main, burst]) {
    if (result === undefined) continue;
    const split = result.rows.filter((row) => row.user !== undefined).map((row) => `${row.label.split(' ')[0]} ${row.user.toFixed(2)}/${row.sys.toFixed(2)}`);
    notes.push(`${result.spec.key} user/sys CPU s: ${split.join(', ')}.`);
  }
  const b = main?.b;
  if (b?.result.rssBeforeMb !== undefined) {
    notes.push(
      `(b): peak RSS includes the recording held in memory (RSS ${b.result.rssBeforeMb.toFixed(0)} MB before feeding); the whole process, start-up and loading the recording included, used ${b.process.cpu.toFixed(2)} s CPU.`,
    );
  }
  const d = main?.d;
  if (d?.row.cpu !== undefined) {
    const busy = d.busyLoopCpu === undefined ? 'not measurable here (no /proc)' : `${d.busyLoopCpu.toFixed(2)} s of its ${d.row.cpu.toFixed(2)} s`;
    notes.push(`(d): its CPU includes the main thread's \`while True: pass\` busy loop (${busy}); it is stopped with SIGTERM after its websocket thread ends on the close.`);
  }
  notes.push('With 2 cores the simulator shares the machine with the client: frames/s of the fastest clients is bounded by the simulator; compare CPU.');
  for (const note of notes) console.log(`- ${note}`);
}

/** The line checks: the CLI's printed lines against the simulator's oracle, per case. */
function printChecks(results) {
  for (const { spec, check } of results) {
    if (check === undefined) continue;
    const oracle = check.oracle.lines;
    const verdict = check.mismatch === undefined && oracle !== undefined ? 'OK' : 'MISMATCH';
    const detail = oracle === undefined ? `oracle unavailable: ${check.oracle.error}` : `${check.printed} printed, oracle ${oracle}`;
    console.log(`line check ${spec.key}: ${verdict} (${detail}${check.mismatch === undefined ? '' : `; ${check.mismatch}`})`);
  }
  for (const { spec, p } of results) {
    const check = p?.check;
    if (check === undefined) continue;
    const verdict = check.problem === undefined && check.same === true ? 'OK' : 'FAILED';
    const detail =
      check.lines === undefined
        ? ''
        : ` (${check.messages?.toLocaleString('en-US')} messages in the stream; polo-ws --publish printed ${check.lines} lines, subscribe --since all read ${check.readBack ?? 'none'} back` +
          `${check.same === true ? ', the same bytes' : ''}${check.subscribeWall === undefined ? '' : ` in ${check.subscribeWall.toFixed(1)} s`})`;
    console.log(`publish check ${spec.key}: ${verdict}${detail}${check.problem === undefined ? '' : `: ${check.problem}`}`);
  }
}

/** Everything under the table. */
export function printSummary(results, seconds) {
  console.log('');
  printRatios(results);
  printChecks(results);
  console.log('');
  printNotes(results);
  console.log(`\nbench took ${seconds.toFixed(0)} s`);
}
