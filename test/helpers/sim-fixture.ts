import { afterEach } from 'vitest';
import { startSimulator, type SimOptions, type SimServer } from '../../src/sim/index.js';
import type { Collector } from './sim-client.js';

/**
 * Simulators and clients for one test file, all closed after each test: call at the top level of
 * the file; `defaults` apply to every simulator it starts.
 */
export function simulatorFixture(defaults: Partial<SimOptions> = {}): {
  readonly clients: Collector[];
  simulator(options: Partial<SimOptions>): Promise<SimServer>;
} {
  const running: SimServer[] = [];
  const clients: Collector[] = [];
  afterEach(async () => {
    for (const client of clients.splice(0)) client.terminate();
    await Promise.all(running.splice(0).map((sim) => sim.close()));
  });
  return {
    clients,
    async simulator(options) {
      const sim = await startSimulator({ ...defaults, ...options });
      running.push(sim);
      return sim;
    },
  };
}
