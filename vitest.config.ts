import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
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
  },
});
