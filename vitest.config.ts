import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * The files that mostly wait (a NATS cluster's election, fixed backoff windows, spawned CLIs against
 * simulators), longest first. Vitest orders by the last run's durations, but a fresh clone (CI) has
 * none and would start these last, leaving the cores idle at the end: they go first regardless.
 */
const WAITING_FIRST = ['nats-failover', 'acceptance-v3', 'e2e-sim-v3-faults', 'nats-publish', 'hostile-stream', 'hostile-files', 'e2e-sim'];

class WaitingFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (spec: TestSpecification): number => {
      const at = WAITING_FIRST.findIndex((name) => spec.moduleId.endsWith(`/test/${name}.test.ts`));
      return at < 0 ? WAITING_FIRST.length : at;
    };
    return sorted
      .map((spec, index) => ({ spec, index }))
      .sort((a, b) => rank(a.spec) - rank(b.spec) || a.index - b.index)
      .map(({ spec }) => spec);
  }
}

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/setup.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // The machines have 2 cores, but most files mostly wait (on spawned CLIs, servers, a NATS
    // cluster's election, timeouts): four workers keep both busy, and the tests that wait on timing
    // wait for an event (a stats line, the first output) rather than a fixed delay, so a loaded
    // machine does not flake them. (Three left the cores half idle while the slow files waited.)
    maxWorkers: 4,
    // The waiting tests of a describe.concurrent all wait at once (the default, 5, queued
    // acceptance-v3's fifteen 3-10 s scenarios into a 20 s file).
    maxConcurrency: 16,
    // One module graph per worker, not per file: src/ keeps no module state (STYLE: no globals), and
    // loading it again for every file cost about a tenth of the suite's CPU.
    isolate: false,
    sequence: { sequencer: WaitingFirst },
  },
});
