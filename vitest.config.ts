import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // The machines are small and shared: two workers keep spawned end-to-end runs from starving.
    maxWorkers: 2,
  },
});
