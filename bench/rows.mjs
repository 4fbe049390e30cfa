import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { measure } from './measure.mjs';
import { oracleCounts } from './oracle.mjs';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(REPO, 'bin', 'polo-ws.js');
const JSON_CLIENT = join(REPO, 'bench', 'json-client.mjs');
const PIPELINE_CHILD = join(REPO, 'bench', 'pipeline-child.mjs');

/** Extra node flags for the polo-ws processes, e.g. --cpu-prof (BENCH_CPU_PROF). */
let nodeFlags = [];

/** Sets node flags for the polo-ws rows (b) and (c), and the burst's (c) and (c+p). */
export function setNodeFlags(flags) {
  nodeFlags = flags;
}

/** The node flags set by setNodeFlags (bench/burst.mjs's timed polo-ws runs use them too). */
export function getNodeFlags() {
  return nodeFlags;
}

/** The flags that point polo-ws at the simulator and make it exit when the simulator closes. */
function cliArgs(sim) {
  return ['--api', 'legacy', '--rest-url', sim.restUrl, '--ws-url', sim.wsUrl, '--max-reconnects', '0'];
}

/** Runs `start()` as the simulator's next connection; resolves to the run and that connection's oracle counts. */
async function asNextConnection(sim, start, oracleOptions) {
  const id = sim.connections().length + 1;
  const run = await start();
  const connection = sim.connections()[id - 1];
  if (connection === undefined) return { run, oracle: { error: 'the client never connected' } };
  // The client has exited, so its socket is closing: the log is complete once it has.
  await sim.waitForClose(id);
  return { run, oracle: oracleCounts(connection, oracleOptions) };
}

/** The last line of a child's stderr: the error a failed run ended with. */
function lastLine(text) {
  return text.trim().split('\n').at(-1)?.slice(0, 300) ?? '';
}

function failure(label, run) {
  return run.status === 0 ? undefined : `${label} exited with status ${run.status}: ${lastLine(run.stderr)}`;
}

/** (a) the parse-only baseline. */
export async function parseOnlyRow(sim) {
  const { run, oracle } = await asNextConnection(sim, () => measure(process.execPath, [JSON_CLIENT, sim.restUrl, sim.wsUrl]));
  const received = JSON.parse(run.stderr.trim().split('\n').at(-1) ?? '{}').frames;
  return {
    row: { label: '(a) parse only: bench/json-client.mjs', baseline: true, frames: oracle.marketFrames, wall: run.wall, bookUpdates: oracle.bookUpdates, lines: null, cpu: run.cpu, user: run.user, sys: run.sys, rssMb: run.rssMb },
    problem: failure('json-client', run) ?? (received >= oracle.marketFrames ? undefined : `json-client received ${received} frames, fewer than the ${oracle.marketFrames} sent`),
  };
}

/** (c) the CLI end to end, stdout to /dev/null; its lines are the oracle's count for that connection. */
export async function cliRow(sim) {
  const { run, oracle } = await asNextConnection(sim, () => measure(process.execPath, [...nodeFlags, CLI, ...cliArgs(sim)]));
  return {
    row: { label: '(c) CLI end to end > /dev/null', frames: oracle.marketFrames, wall: run.wall, bookUpdates: oracle.bookUpdates, lines: oracle.lines, cpu: run.cpu, user: run.user, sys: run.sys, rssMb: run.rssMb },
    problem: failure('polo-ws', run) ?? oracle.error,
    oracle,
  };
}

/**
 * The CLI again, stdout to a file and --record: its lines are counted and compared, timestamps cut,
 * with what the oracle says that connection should print; the recording feeds (b). Not timed.
 */
export async function verifyRun(sim, outFile, recordFile) {
  const record = () => measure(process.execPath, [CLI, ...cliArgs(sim), '--record', recordFile], { stdout: outFile });
  const { run, oracle } = await asNextConnection(sim, record, { keepLines: true });
  const printed = readFileSync(outFile, 'utf8').split('\n');
  printed.pop();
  let mismatch;
  const expected = oracle.expected;
  if (expected !== undefined) {
    if (printed.length !== expected.length) mismatch = `${printed.length} lines printed, the oracle expects ${expected.length}`;
    const at = expected.findIndex((line, i) => printed[i]?.slice(24) !== line);
    if (at >= 0) mismatch ??= `line ${at + 1}: expected "${expected[at]}", got "${printed[at]?.slice(24)}"`;
  }
  return { printed: printed.length, oracle: { ...oracle, expected: undefined }, mismatch, record: recordFile, problem: failure('polo-ws --record', run) };
}

/** (b) the in-process pipeline on the recording, in a fresh node process; CPU around the feeding alone. */
export async function pipelineRow(recordFile, resultFile, marketFrames, bookUpdates) {
  const run = await measure(process.execPath, [...nodeFlags, PIPELINE_CHILD, recordFile], { stdout: resultFile });
  const problem = failure('pipeline-child', run);
  const result = problem === undefined ? JSON.parse(readFileSync(resultFile, 'utf8')) : {};
  return {
    row: { label: '(b) in-process pipeline, null sink', frames: marketFrames, wall: result.wall, bookUpdates, lines: result.lines, cpu: result.cpu, user: result.user, sys: result.sys, rssMb: result.rssMb },
    problem,
    result,
    process: run,
  };
}

/** (b') `polo-ws replay FILE > /dev/null`: the pipeline plus reading and parsing the recording. */
export async function replayRow(recordFile, marketFrames, bookUpdates, lines) {
  const run = await measure(process.execPath, [CLI, 'replay', recordFile]);
  return {
    row: { label: "(b') CLI replay FILE > /dev/null", frames: marketFrames, wall: run.wall, bookUpdates, lines, cpu: run.cpu, user: run.user, sys: run.sys, rssMb: run.rssMb },
    problem: failure('polo-ws replay', run),
  };
}

/**
 * Of several runs of one row (each on its own connection), the run of median CPU, with every
 * run's CPU in `cpus`: one run of a fast client can differ from the next by a third.
 */
export function median(results) {
  const measured = results.filter((result) => result.row.cpu !== undefined).sort((x, y) => x.row.cpu - y.row.cpu);
  const chosen = measured[Math.floor((measured.length - 1) / 2)] ?? results[0];
  const problem = results.map((result) => result.problem).find((p) => p !== undefined);
  return { ...chosen, problem, cpus: results.map((result) => result.row.cpu) };
}
