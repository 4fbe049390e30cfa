// npm run bench: polo-ws against a parse-only client and the reference Python script, on the same
// simulated feeds, one table: first the bursts (a recorded feed written as fast as each client
// reads: the headline ratios), then the paced cases (the simulator's own pace, rate 0). See
// bench/README.md for the rows, columns and knobs.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSimulator } from '../dist/sim/server.js';
import { WRAPPER_PYTHON } from './measure.mjs';
import { liftOracleCap } from './oracle.mjs';
import { findReferencePython, pythonVersion } from './reference.mjs';
import { measure } from './measure.mjs';
import { cliRow, median, parseOnlyRow, pipelineRow, replayRow, setNodeFlags, verifyRun } from './rows.mjs';
import { renderTable } from './table.mjs';
import { burstRows, PUBLISH_STREAM } from './burst.mjs';
import { findNatsServer } from './nats.mjs';
import { printSummary } from './summary.mjs';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(REPO, 'bin', 'polo-ws.js');
const env = process.env;
const quick = env.BENCH_QUICK === '1';
const mainFrames = Number(env.BENCH_FRAMES ?? (quick ? 20_000 : 200_000));
const burstFrames = Number(env.BENCH_BURST_FRAMES ?? (quick ? 40_000 : 400_000));
const v3Frames = Number(env.BENCH_V3_FRAMES ?? (quick ? 10_000 : 100_000));
/** The stalled-reader run: enough frames for over a million lines (1.64 a frame). */
const stallFrames = Number(env.BENCH_STALL_FRAMES ?? (quick ? 64_000 : 640_000));
/** How long its reader sleeps before reading. */
const STALL_SECONDS = 6;
const wanted = new Set((env.BENCH_CASES ?? 'burst,burst-v3,stall,main,deep,many').split(','));
/** Runs of (a) and (c) in the main case, the median kept: the acceptance ratio rests on them. */
const repeats = Number(env.BENCH_REPEAT ?? (quick ? 1 : 3));

/** Start-up runs (--max-lines 1) per burst case, the median kept. */
const STARTUP_RUNS = 3;

/**
 * The bursts: each records its own feed from the simulator (rate 0) with polo-ws --record, then
 * writes it to each client as fast as it reads. Legacy: every row, (d) and (c+p) included; v3 (a
 * real-shaped feed: book_lv2 a 20-level window, one item per message): (a) and (c).
 */
const BURSTS = [
  { key: 'burst', api: 'legacy', pairs: 100, depth: 200, frames: burstFrames },
  { key: 'burst-v3', api: 'v3', pairs: 100, depth: 200, frames: v3Frames },
].filter((spec) => wanted.has(spec.key) && env.BENCH_BURST !== '0');

/** The paced feeds: the main case runs (a), (b), (b') and (c); the other two compare (a) with (c). */
const CASES = [
  { key: 'main', pairs: 100, depth: 200, frames: mainFrames, allRows: true },
  { key: 'deep', pairs: 10, depth: 3000, frames: Math.ceil(mainFrames / 4), allRows: false },
  { key: 'many', pairs: 1000, depth: 200, frames: Math.ceil(mainFrames / 2), allRows: false },
].filter((spec) => wanted.has(spec.key));

/** "1d58866 + 6 changed files in src/": which code the numbers are for (src/ changes between runs). */
function sourceState() {
  const git = (...args) => spawnSync('git', ['-C', REPO, ...args], { encoding: 'utf8' });
  const head = git('rev-parse', '--short', 'HEAD');
  if (head.status !== 0) return 'not a git checkout';
  const changed = git('status', '--porcelain', '--', 'src').stdout.split('\n').filter((line) => line !== '').length;
  return `${head.stdout.trim()}${changed === 0 ? '' : ` + ${changed} changed file${changed === 1 ? '' : 's'} in src/`}`;
}

function title(spec) {
  if (spec.api !== undefined) {
    return `${spec.key}: ${spec.api}, ${spec.pairs} pairs x ${spec.depth} levels a side, ${spec.frames.toLocaleString('en-US')} ${spec.api === 'v3' ? 'messages' : 'frames'} recorded, written as fast as each client reads`;
  }
  return `${spec.key} (paced): ${spec.pairs} pairs x ${spec.depth} levels a side, ${spec.frames.toLocaleString('en-US')} frames`;
}

/** (a) and (c) in turn, `times` each, the median kept: alternating spreads any drift over both. */
async function parseAndCli(sim, times) {
  const parse = [];
  const cli = [];
  for (let i = 0; i < times; i++) {
    parse.push(await parseOnlyRow(sim));
    cli.push(await cliRow(sim));
  }
  return { a: median(parse), c: median(cli) };
}

/** (b) and (b') on the verification run's recording; (b) must write the lines the CLI printed. */
async function pipelineRows(spec, work, check, warnings) {
  const { marketFrames, bookUpdates } = check.oracle;
  const b = await pipelineRow(check.record, join(work, `${spec.key}.pipeline.json`), marketFrames, bookUpdates);
  if (b.result.lines !== undefined && b.result.lines !== check.printed) warnings.push(`(b) wrote ${b.result.lines} lines, the CLI printed ${check.printed} for the same frames`);
  return { b, replay: await replayRow(check.record, marketFrames, bookUpdates, b.result.lines) };
}

/** Newline-terminated lines in a file. */
function countLines(file) {
  const text = readFileSync(file);
  let count = 0;
  for (let at = text.indexOf(10); at >= 0; at = text.indexOf(10, at + 1)) count++;
  return count;
}

/**
 * The burst's recording: polo-ws --record against the simulator, untimed. Legacy runs are
 * line-checked against the simulator's oracle (as the paced main case); v3 lines are counted.
 */
async function recordBurst(spec, sim, work) {
  const record = join(work, `${spec.key}.ndjson`);
  const out = join(work, `${spec.key}.out`);
  if (spec.api === 'legacy') {
    const check = await verifyRun(sim, out, record);
    const counts = { marketFrames: check.oracle.marketFrames, bookUpdates: check.oracle.bookUpdates, lines: check.printed };
    return { record, check, counts, problem: check.problem ?? (check.mismatch && `line check failed: ${check.mismatch}`) };
  }
  const args = [CLI, '--api', 'v3', '--rest-url', sim.restUrl, '--ws-url', sim.wsUrl, '--max-reconnects', '0', '--record', record];
  const run = await measure(process.execPath, args, { stdout: out });
  const connection = sim.connections().at(-1);
  const problem = run.status === 0 ? undefined : `polo-ws --record (v3) exited with status ${run.status}: ${run.stderr.trim().split('\n').at(-1)}`;
  return { record, counts: { marketFrames: connection?.framesSent, bookUpdates: undefined, lines: countLines(out) }, problem };
}

/** Start-up: polo-ws --max-lines 1 against the simulator, STARTUP_RUNS times: CPU and wall from start to exit, medians. */
async function startupRuns(spec, sim) {
  const runs = [];
  for (let i = 0; i < STARTUP_RUNS; i++) {
    runs.push(await measure(process.execPath, [CLI, '--api', spec.api, '--rest-url', sim.restUrl, '--ws-url', sim.wsUrl, '--max-lines', '1']));
  }
  const mid = (values) => values.sort((x, y) => x - y)[Math.floor((values.length - 1) / 2)];
  const failed = runs.find((run) => run.status !== 0);
  return { cpu: mid(runs.map((run) => run.cpu)), wall: mid(runs.map((run) => run.wall)), problem: failed && `start-up run exited with status ${failed.status}: ${failed.stderr.trim().split('\n').at(-1)}` };
}

/**
 * The slow-reader bound: polo-ws reads the legacy simulator (rate 0) with its stdout a pipe whose
 * reader sleeps STALL_SECONDS before reading (`sleep; wc -l`): its peak RSS, and whether every line
 * arrived (the oracle's count).
 */
async function stallCase(work) {
  const spec = { key: 'stall', pairs: 100, depth: 200, frames: stallFrames };
  const sim = await startSimulator({ api: 'legacy', seed: 1, pairs: spec.pairs, depth: spec.depth, rate: 0, frames: spec.frames });
  const fifo = join(work, 'stall.fifo');
  try {
    execFileSync('mkfifo', [fifo]);
    // The reader opens the pipe at once (so polo-ws starts), then sleeps before reading any of it.
    const reader = spawn('sh', ['-c', `exec 3< "$1"; sleep ${STALL_SECONDS}; wc -l <&3`, 'sh', fifo], { stdio: ['ignore', 'pipe', 'inherit'] });
    let counted = '';
    reader.stdout.setEncoding('utf8').on('data', (text) => (counted += text));
    const readerDone = new Promise((resolve) => reader.on('close', resolve));
    const id = sim.connections().length + 1;
    const run = await measure(process.execPath, [CLI, '--api', 'legacy', '--rest-url', sim.restUrl, '--ws-url', sim.wsUrl, '--max-reconnects', '0'], { stdout: fifo });
    await readerDone;
    await sim.waitForClose(id);
    const expected = sim.connections()[id - 1]?.expectedLines(1).length;
    const lines = Number(counted.trim());
    const row = { label: `(c) stdout read after ${STALL_SECONDS} s`, frames: sim.connections()[id - 1]?.framesSent, wall: run.wall, lines, cpu: run.cpu, user: run.user, sys: run.sys, rssMb: run.rssMb };
    const problem =
      run.status !== 0 ? `polo-ws (stalled reader) exited with status ${run.status}: ${run.stderr.trim().split('\n').at(-1)}` : lines !== expected ? `the stalled reader got ${lines} lines, the oracle expects ${expected}` : undefined;
    const rows = [row];
    if (problem) rows.push({ label: 'WARNING', text: problem });
    return { title: `stall: legacy, ${spec.pairs} pairs x ${spec.depth} levels a side, ${spec.frames.toLocaleString('en-US')} frames from the simulator, the reader asleep for the first ${STALL_SECONDS} s`, spec, rows, stall: { rssMb: run.rssMb, lines, expected } };
  } finally {
    await sim.close();
  }
}

/** What (d) needs, or why it cannot run. */
function referenceFor(reference, work) {
  if (reference.python === undefined) return { skip: 'python3 with websockets and requests not found (Debian: apt-get install python3-websockets python3-requests)' };
  return { ...reference, work };
}

/** One burst case: its recording, start-up runs, then the burst rows (bench/burst.mjs). */
async function burstCase(spec, work, reference) {
  const sim = await startSimulator({ api: spec.api, seed: 1, pairs: spec.pairs, depth: spec.depth, rate: 0, frames: spec.frames });
  try {
    const recorded = await recordBurst(spec, sim, work);
    const startup = await startupRuns(spec, sim);
    const legacy = spec.api === 'legacy';
    const publish = !legacy || env.BENCH_PUBLISH === '0' ? undefined : { nats: findNatsServer(), work };
    const options = { api: spec.api, restUrl: legacy ? undefined : sim.restUrl, publish, reference: legacy ? referenceFor(reference, work) : undefined };
    const { a, c, p, d } = await burstRows(recorded.record, recorded.counts, repeats, options);
    const rows = [a.row, c.row];
    if (p !== undefined) rows.push(p.row);
    const natsCpu = p?.natsCpu;
    if (natsCpu !== undefined) {
      const stream = p.check?.messages === undefined ? '' : `; the check run left ${p.check.messages.toLocaleString('en-US')} messages (${(p.check.bytes / 1e6).toFixed(0)} MB) in stream ${PUBLISH_STREAM}`;
      rows.push({ label: '  its nats-server', text: `CPU ${(natsCpu.user + natsCpu.sys).toFixed(2)} s (user ${natsCpu.user.toFixed(2)}, sys ${natsCpu.sys.toFixed(2)}) during that run, not in the CPU s above${stream}` });
    }
    if (d !== undefined) rows.push(d.row);
    rows.push({ label: '(c) start-up', text: `--max-lines 1 against the simulator, start to exit: ${startup.wall.toFixed(2)} s wall, ${startup.cpu.toFixed(2)} s CPU (median of ${STARTUP_RUNS})` });
    for (const problem of [recorded.problem, startup.problem, a.problem, c.problem, p?.problem, p?.check?.problem, d?.problem]) if (problem) rows.push({ label: 'WARNING', text: problem });
    return { title: title(spec), spec, rows, a, c, p, d, startup, check: recorded.check };
  } finally {
    await sim.close();
  }
}

/** Runs every row of one case against one simulator; returns its table section and what the summary needs. */
async function runCase(spec, work) {
  const sim = await startSimulator({ api: 'legacy', seed: 1, pairs: spec.pairs, depth: spec.depth, rate: 0, frames: spec.frames });
  try {
    const { a, c } = await parseAndCli(sim, spec.allRows ? repeats : 1);
    const check = await verifyRun(sim, join(work, `${spec.key}.out`), join(work, `${spec.key}.ndjson`));
    const warnings = [check.problem, check.mismatch && `(c) line check failed: ${check.mismatch}`];
    const { b, replay } = spec.allRows ? await pipelineRows(spec, work, check, warnings) : {};
    const results = [a, b, replay, c].filter((result) => result !== undefined);
    warnings.push(...results.map((result) => result.problem));
    const rows = results.map((result) => result.row);
    for (const warning of warnings) if (warning) rows.push({ label: 'WARNING', text: warning });
    return { title: title(spec), spec, rows, a, b, c, check };
  } finally {
    await sim.close();
  }
}

async function main() {
  for (const [name, value] of [['BENCH_FRAMES', mainFrames], ['BENCH_BURST_FRAMES', burstFrames], ['BENCH_V3_FRAMES', v3Frames], ['BENCH_STALL_FRAMES', stallFrames]]) {
    if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer, got ${env[name]}`);
  }
  if (WRAPPER_PYTHON === undefined) throw new Error('bench needs python3 (standard library only) to measure CPU and peak RSS of child processes');
  if (!liftOracleCap()) console.error('bench: warning: could not lift the oracle record cap; large runs cannot be line-checked');
  if (env.BENCH_CPU_PROF !== undefined) setNodeFlags(['--cpu-prof', `--cpu-prof-dir=${resolve(env.BENCH_CPU_PROF)}`]);
  const reference = {
    python: findReferencePython(),
    markdown: env.BENCH_REFERENCE ?? resolve(REPO, '..', 'shared', 'reference', 'seed-polo-ws.md'),
    deadlineMs: Number(env.BENCH_REFERENCE_TIMEOUT ?? 240) * 1000,
  };
  const work = mkdtempSync(join(tmpdir(), 'polo-ws-bench-'));
  const started = performance.now();
  const results = [];
  try {
    for (const spec of BURSTS) {
      process.stderr.write(`bench: ${title(spec)} ...\n`);
      results.push(await burstCase(spec, work, reference));
    }
    if (wanted.has('stall')) {
      process.stderr.write(`bench: stall, ${stallFrames.toLocaleString('en-US')} frames, the reader asleep for ${STALL_SECONDS} s ...\n`);
      results.push(await stallCase(work));
    }
    for (const spec of CASES) {
      process.stderr.write(`bench: ${title(spec)} ...\n`);
      results.push(await runCase(spec, work));
    }
  } finally {
    if (env.BENCH_KEEP === '1') process.stderr.write(`bench: files kept in ${work}\n`);
    else rmSync(work, { recursive: true, force: true });
  }
  const cpu = cpus();
  console.log(`polo-ws bench (${sourceState()}): built-in simulator, seed 1, rate 0 (as fast as the socket drains); bursts from its recordings`);
  console.log(`node ${process.version}, reference: ${reference.python === undefined ? 'n/a' : `${reference.python} (${pythonVersion(reference.python)})`}, ${cpu.length} x ${cpu[0]?.model ?? 'unknown CPU'}`);
  if (env.BENCH_CPU_PROF !== undefined) console.log(`profiling (${env.BENCH_CPU_PROF}): rows (b), (c) and the bursts' (c) and (c+p) run with --cpu-prof, their CPU is inflated`);
  console.log('');
  console.log(renderTable(results));
  console.log(execFileSync(process.execPath, ['--expose-gc', resolve(REPO, 'bench', 'book-memory.mjs')], { encoding: 'utf8' }).trimEnd());
  printSummary(results, (performance.now() - started) / 1000);
}

main().catch((error) => {
  console.error(`bench: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
