import { afterEach } from 'vitest';
import { startSimulator, type SimOptions, type SimServer } from '../../src/sim/index.js';
import { Collector, within, type Received } from './sim-client.js';

/**
 * Simulators and clients for one test file, all closed after each test: call at the top level of
 * the file; `defaults` apply to every simulator it starts.
 */
export function simulatorFixture(defaults: Partial<SimOptions> = {}): {
  readonly clients: Collector[];
  simulator(options: Partial<SimOptions>): Promise<SimServer>;
  /** Opens a collector on the simulator and sends `commands` at once. */
  connect(sim: SimServer, commands?: readonly unknown[]): Promise<Collector>;
  /** Opens a collector that sends `commands` at once, then waits for the server to close it. */
  runToClose(sim: SimServer, commands: readonly unknown[]): Promise<{ frames: Received[]; code: number }>;
} {
  const running: SimServer[] = [];
  const clients: Collector[] = [];
  afterEach(async () => {
    for (const client of clients.splice(0)) client.terminate();
    await Promise.all(running.splice(0).map((sim) => sim.close()));
  });
  const connect = async (sim: SimServer, commands: readonly unknown[] = []): Promise<Collector> => {
    const client = new Collector(sim.wsUrl);
    clients.push(client);
    await client.opened();
    for (const command of commands) client.send(command);
    return client;
  };
  return {
    clients,
    async simulator(options) {
      const sim = await startSimulator({ ...defaults, ...options });
      running.push(sim);
      return sim;
    },
    connect,
    async runToClose(sim, commands) {
      const client = await connect(sim, commands);
      const code = await within(client.closed, 5000, 'server close');
      return { frames: client.frames, code };
    },
  };
}
