import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // The machines have 2 cores, but most files mostly wait (on spawned CLIs, servers, timeouts):
    // three workers keep the suite near 50 s, and the tests that wait on timing wait for an event
    // (a stats line, the first output) rather than a fixed delay, so a loaded machine does not flake them.
    maxWorkers: 3,
  },
});
