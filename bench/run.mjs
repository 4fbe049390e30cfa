// npm run bench: polo-ws against a parse-only client and the reference Python script, on the same
// simulated legacy feed, one table. See bench/README.md for the rows, columns and knobs.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSimulator } from '../dist/sim/server.js';
import { WRAPPER_PYTHON } from './measure.mjs';
import { liftOracleCap } from './oracle.mjs';
import { findReferencePython, pythonVersion, writeReferenceScript } from './reference.mjs';
import { cliRow, median, parseOnlyRow, pipelineRow, referenceRow, replayRow, setNodeFlags, verifyRun } from './rows.mjs';
import { renderTable } from './table.mjs';
import { burstRows, PUBLISH_STREAM } from './burst.mjs';
import { findNatsServer } from './nats.mjs';
import { printSummary } from './summary.mjs';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const env = process.env;
const quick = env.BENCH_QUICK === '1';
const mainFrames = Number(env.BENCH_FRAMES ?? (quick ? 20_000 : 200_000));
const wanted = new Set((env.BENCH_CASES ?? 'main,deep,many').split(','));
/** Runs of (a) and (c) in the main case, the median kept: the acceptance ratio rests on them. */
const repeats = Number(env.BENCH_REPEAT ?? (quick ? 1 : 3));

/** The feeds: the main case runs every row; the other two compare (a) with (c). */
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
  return `${spec.key}: ${spec.pairs} pairs x ${spec.depth} levels a side, ${spec.frames.toLocaleString('en-US')} frames`;
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

function referenceRun(sim, spec, work, reference) {
  const script = reference.python === undefined ? undefined : writeReferenceScript(reference.markdown, work, sim.restUrl, sim.wsUrl);
  const skip = reference.python === undefined ? 'python3 websockets/requests not installed' : script === undefined ? `reference script not found at ${reference.markdown}` : undefined;
  return referenceRow(sim, { python: reference.python, script, skip, deadlineMs: reference.deadlineMs, frames: spec.frames });
}

/** The main case's frames again as one burst (bench/burst.mjs): its own table section, with (c+p) unless BENCH_PUBLISH=0. */
async function burstCase(spec, check, work) {
  const counts = { marketFrames: check.oracle.marketFrames, bookUpdates: check.oracle.bookUpdates, lines: check.printed };
  const publish = env.BENCH_PUBLISH === '0' ? undefined : { nats: findNatsServer(), work };
  const { a, c, p } = await burstRows(check.record, counts, repeats, publish);
  const rows = [a.row, c.row];
  if (p !== undefined) rows.push(p.row);
  const natsCpu = p?.natsCpu;
  if (natsCpu !== undefined) {
    const stream = p.check?.messages === undefined ? '' : `; the check run left ${p.check.messages.toLocaleString('en-US')} messages (${(p.check.bytes / 1e6).toFixed(0)} MB) in stream ${PUBLISH_STREAM}`;
    rows.push({ label: '  its nats-server', text: `CPU ${(natsCpu.user + natsCpu.sys).toFixed(2)} s (user ${natsCpu.user.toFixed(2)}, sys ${natsCpu.sys.toFixed(2)}) during that run, not in the CPU s above${stream}` });
  }
  for (const problem of [a.problem, c.problem, p?.problem, p?.check?.problem]) if (problem) rows.push({ label: 'WARNING', text: problem });
  return { title: `${spec.key}, burst: the same frames pre-encoded, written as fast as each client reads`, spec: { key: 'burst' }, rows, a, c, p };
}

/** Runs every row of one case against one simulator; returns its table section and what the summary needs. */
async function runCase(spec, work, reference) {
  const sim = await startSimulator({ api: 'legacy', seed: 1, pairs: spec.pairs, depth: spec.depth, rate: 0, frames: spec.frames });
  try {
    const { a, c } = await parseAndCli(sim, spec.allRows ? repeats : 1);
    const check = await verifyRun(sim, join(work, `${spec.key}.out`), join(work, `${spec.key}.ndjson`));
    const warnings = [check.problem, check.mismatch && `(c) line check failed: ${check.mismatch}`];
    const { b, replay } = spec.allRows ? await pipelineRows(spec, work, check, warnings) : {};
    const d = spec.allRows ? await referenceRun(sim, spec, work, reference) : undefined;
    const results = [a, b, replay, c, d].filter((result) => result !== undefined);
    warnings.push(...results.map((result) => result.problem));
    const rows = results.map((result) => result.row);
    for (const warning of warnings) if (warning) rows.push({ label: 'WARNING', text: warning });
    return { title: title(spec), spec, rows, a, b, c, d, check };
  } finally {
    await sim.close();
  }
}

async function main() {
  if (!Number.isInteger(mainFrames) || mainFrames < 1) throw new Error(`BENCH_FRAMES must be a positive integer, got ${env.BENCH_FRAMES}`);
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
    for (const spec of CASES) {
      process.stderr.write(`bench: ${title(spec)} ...\n`);
      const result = await runCase(spec, work, reference);
      results.push(result);
      if (spec.allRows && env.BENCH_BURST !== '0') {
        process.stderr.write(`bench: ${spec.key}, burst ...\n`);
        results.push(await burstCase(spec, result.check, work));
      }
    }
  } finally {
    if (env.BENCH_KEEP === '1') process.stderr.write(`bench: files kept in ${work}\n`);
    else rmSync(work, { recursive: true, force: true });
  }
  const cpu = cpus();
  console.log(`polo-ws bench (${sourceState()}): built-in simulator, legacy protocol, seed 1, rate 0 (as fast as the socket drains)`);
  console.log(`node ${process.version}, reference: ${reference.python === undefined ? 'n/a' : `${reference.python} (${pythonVersion(reference.python)})`}, ${cpu.length} x ${cpu[0]?.model ?? 'unknown CPU'}`);
  if (env.BENCH_CPU_PROF !== undefined) console.log(`profiling (${env.BENCH_CPU_PROF}): rows (b), (c) and the burst's (c) and (c+p) run with --cpu-prof, their CPU is inflated`);
  console.log('');
  console.log(renderTable(results));
  console.log(execFileSync(process.execPath, ['--expose-gc', resolve(REPO, 'bench', 'book-memory.mjs')], { encoding: 'utf8' }).trimEnd());
  printSummary(results, (performance.now() - started) / 1000);
}

main().catch((error) => {
  console.error(`bench: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
