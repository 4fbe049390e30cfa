function ratio(numerator, denominator) {
  return numerator === undefined || denominator === undefined || denominator <= 0 ? undefined : numerator / denominator;
}

function shown(value) {
  return value === undefined ? 'n/a' : value.toFixed(2);
}

/**
 * The ratios: the bursts' are the headline (issue 15's targets: legacy <= 1.5, v3 <= 1.3, the
 * reference without its busy loop >= 3.5x polo-ws, --publish <= 1.5x); the paced cases' for comparison.
 */
function printRatios(results) {
  for (const result of results) {
    const cliOverParse = ratio(result.c?.row.cpu, result.a?.row.cpu);
    const key = result.spec.key;
    if (key === 'burst') {
      console.log(`burst (legacy): CLI CPU / parse-only CPU = ${shown(cliOverParse)} (target <= 1.5)`);
      const d = result.d;
      if (d !== undefined) {
        console.log(`burst (legacy): reference (without its busy loop) CPU / CLI CPU = ${shown(ratio(d.row.cpu, result.c?.row.cpu))} (target >= 3.5)`);
      }
      if (result.p?.row.cpu !== undefined) console.log(`burst (legacy): CLI --publish CPU / CLI CPU = ${shown(ratio(result.p.row.cpu, result.c?.row.cpu))} (target <= 1.5)`);
    } else if (key === 'burst-v3') {
      console.log(`burst (v3): CLI CPU / parse-only CPU = ${shown(cliOverParse)} (target <= 1.3)`);
    } else if (key === 'stall') {
      const { rssMb, lines, expected } = result.stall;
      console.log(`stalled reader: peak RSS ${rssMb === undefined ? '?' : rssMb.toFixed(0)} MB (target <= 160) over ${lines.toLocaleString('en-US')} lines, ${lines === expected ? 'every line arrived' : `the oracle expects ${expected}`}`);
    } else {
      console.log(`${key} (paced): CLI CPU / parse-only CPU = ${shown(cliOverParse)}`);
    }
  }
}

/** Notes that say what each number is. */
function printNotes(results) {
  const notes = [
    'bursts: polo-ws --record against the simulator (rate 0) makes the recording (legacy: line-checked against the simulator\'s oracle); a server then writes its frames, pre-encoded, as fast as each client reads, and closes. frames: the market frames (messages, v3) of the recording.',
    'paced: every client reads the simulator itself (rate 0: as fast as the socket drains, so both clients wait for it and wake up for every few frames, as for a real feed). frames: market frames the simulator sent on that connection; the one snapshot per pair and the ack are not counted.',
    'frames/s, book upd/s, lines/s: per second of the client\'s wall time from process start (node/python start-up, REST, subscribing included) to exit; (b) around the feeding alone; (d) to the end of its websocket thread.',
    'book upd/s: level changes and removals plus every level of every snapshot, counted from the simulator\'s log of what it sent (legacy).',
    'lines/s: (c) writes to /dev/null; its count is that of the recording run (bursts) or the oracle\'s for its connection (paced), a separate untimed run with stdout to a file checked line for line against the oracle ("line check"). (b) counts what the pipeline wrote; (b\') replays the same file.',
    'CPU s, peak RSS: user+sys and max RSS of that client process alone (os.wait4 via bench/rusage.py); the simulator and the burst server run in the bench process and are not counted. (b): process.cpuUsage() around the feeding, in a fresh node process.',
    '(c) start-up: polo-ws with --max-lines 1 against the simulator: node start, REST, websocket, subscriptions and the first line; every (c) row includes it once.',
  ];
  const list = (cpus) => cpus.map((cpu) => (cpu === undefined ? '?' : shown(cpu))).join(', ');
  for (const result of results) {
    if (result.a?.cpus === undefined || result.a.cpus.length < 2) continue;
    const published = result.p?.cpus === undefined ? '' : `; (c+p) ${list(result.p.cpus)}; its nats-server ${list(result.p.natsCpus.map((n) => n && n.user + n.sys))}`;
    notes.push(`${result.spec.key}: (a), (c)${result.p?.cpus === undefined ? '' : ' and (c+p)'} ran ${result.a.cpus.length} times each, alternating; the run of median CPU is shown. CPU s of each run: (a) ${list(result.a.cpus)}; (c) ${list(result.c.cpus)}${published}.`);
  }
  if (results.some((result) => result.p?.cpus !== undefined)) {
    notes.push(
      `(c+p): (c) plus --publish into a nats-server started by the bench (JetStream, file store, a fresh server and empty stream per run); its CPU s is polo-ws's alone, from start to its exit once JetStream confirmed every event. The nats-server's own CPU (from /proc, its start-up excluded) is shown under it, not in the ratio.`,
    );
  }
  for (const result of results) {
    const split = result.rows.filter((row) => row.user !== undefined).map((row) => `${row.label.split(' ')[0]} ${row.user.toFixed(2)}/${row.sys.toFixed(2)}`);
    if (split.length > 0 && (result.spec.key.startsWith('burst') || result.spec.key === 'main')) notes.push(`${result.spec.key} user/sys CPU s: ${split.join(', ')}.`);
  }
  const b = results.find((result) => result.spec.key === 'main')?.b;
  if (b?.result.rssBeforeMb !== undefined) {
    notes.push(
      `(b): peak RSS includes the recording held in memory (RSS ${b.result.rssBeforeMb.toFixed(0)} MB before feeding); the whole process, start-up and loading the recording included, used ${b.process.cpu.toFixed(2)} s CPU.`,
    );
  }
  const d = results.find((result) => result.spec.key === 'burst')?.d;
  if (d?.row.cpu !== undefined) {
    notes.push('(d): the reference script against the legacy burst, once, its main thread\'s busy loop (`while True: pass`) made a `time.sleep(0.5)` loop, so its CPU is its own work; it is stopped with SIGTERM after its websocket thread ends on the close.');
  }
  notes.push('With 2 cores the simulator or burst server shares the machine with the client: compare CPU, not frames/s.');
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
