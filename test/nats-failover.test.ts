// --publish across the loss of a node: a 3-node JetStream cluster, a stream with 3 replicas, and the
// node the publisher is connected to (the stream's leader: the worst case, a leader election on top
// of the reconnect) killed mid-run. A subscriber reading through the other nodes must print the
// publishing run's stdout byte for byte: nothing lost, nothing twice, nothing out of order.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { startSimulator, type SimServer } from '../src/sim/index.js';
import { describeNats, startCluster, type NatsCluster } from './helpers/nats-server.js';
import { runCli } from './helpers/run-cli.js';

describeNats('--publish to a 3-node cluster while a node dies', () => {
  let cluster: NatsCluster;
  let sim: SimServer;

  beforeAll(async () => {
    [cluster, sim] = await Promise.all([startCluster(3), startSimulator({ api: 'v3', seed: 7, pairs: 8, rate: Number(process.env.FAILOVER_RATE ?? 400) })]);
  }, 30_000);

  afterAll(async () => {
    await Promise.all([cluster?.stop(), sim?.close()]);
  });

  it('loses nothing: the subscriber prints the publisher\'s stdout byte for byte', async () => {
    // The stream as --publish would create it, made first so the test knows its leader's node.
    let admin = await connect({ servers: cluster.urls });
    const info = await (await jetstreamManager(admin)).streams.add({ name: 'FAILOVER', subjects: ['poloniex.>'], num_replicas: 3, max_age: 86_400e9, duplicate_window: 120e9 });
    await admin.close();
    const leader = cluster.nodes.find((node) => node.name === info.cluster?.leader);
    expect(leader, `stream leader ${info.cluster?.leader}`).toBeDefined();
    const victim = leader ?? (cluster.nodes[0] as NatsCluster['nodes'][number]);
    const survivors = cluster.nodes.filter((node) => node !== victim).map((node) => node.url);

    const publishing = runCli(
      ['--rest-url', sim.restUrl, '--ws-url', sim.wsUrl, '--publish', victim.url, '--stream', 'FAILOVER', '--replicas', '3', '--duration', '4', '--top'],
      { timeoutMs: 40_000 },
    );
    // Mid-run: once the publisher has stored a few hundred events (its start-up is slow on a loaded machine).
    admin = await connect({ servers: survivors });
    const jsm = await jetstreamManager(admin, { checkAPI: false });
    for (let stored = 0; stored < 300; stored = (await jsm.streams.info('FAILOVER')).state.messages) await new Promise((resolve) => setTimeout(resolve, 50));
    await admin.close();
    await victim.kill('SIGKILL');
    const published = await publishing;
    expect(published.code, published.stderr).toBe(0);
    expect(published.stderr).toMatch(/nats: connection to .* lost/);
    expect(published.stderr).not.toMatch(/not confirmed by NATS/);
    const lines = published.stdout.split('\n').length - 1;
    expect(lines).toBeGreaterThan(1000);

    // As a user would read it later: once the cluster has a stream leader again among the survivors
    // (the election the kill started can outlast the publisher; start-up's own retries are tested elsewhere).
    admin = await connect({ servers: survivors });
    const after = await jetstreamManager(admin, { checkAPI: false });
    for (let leader = ''; leader === '' || leader === victim.name; ) {
      leader = (await after.streams.info('FAILOVER').catch(() => undefined))?.cluster?.leader ?? '';
      if (leader === '' || leader === victim.name) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await after.getAccountInfo().catch(() => undefined);
    await admin.close();
    const read = await runCli(['subscribe', survivors.join(','), '--stream', 'FAILOVER', '--since', 'all', '--max-lines', String(lines), '--top'], {
      timeoutMs: 30_000,
    });
    expect(read.code, read.stderr).toBe(0);
    // Reading may wait out the election that the kill started ("trying again"); nothing else is said.
    expect(read.stderr.split('\n').filter((line) => line !== '' && !/trying again/.test(line))).toEqual([]);
    expect(read.stdout === published.stdout, 'the subscriber printed the publisher\'s lines').toBe(true);
  }, 60_000);
});
