// The NATS test harness against real nats-server processes (test/helpers/nats-server.ts), and the
// JetStream behaviours the publisher relies on, checked on a 3-node cluster:
//  - a msgID seen within the duplicate window is acked again as duplicate:true, and stored once;
//  - de-duplication is checked BEFORE the expected-last-msg-id check: a re-sent message whose
//    expectation is stale is still a duplicate ack, not an error;
//  - a wrong expected last msg ID is an error naming the stream's actual last msg ID;
// Skipped, with one loud warning, where nats-server is not installed.
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { describeNats, startCluster, startNats, type NatsCluster, type NatsServer } from './helpers/nats-server.js';

describeNats('nats-server harness', () => {
  describe('single server', () => {
    let server: NatsServer;
    let nc: NatsConnection | undefined;
    beforeAll(async () => {
      server = await startNats();
    });
    afterAll(async () => {
      await nc?.close();
      await server?.stop();
    });

    it('listens on a loopback URL and stores a msgID once', async () => {
      expect(server.url).toBe(`nats://127.0.0.1:${server.port}`);
      expect(server.log()).toContain('Server is ready');
      nc = await connect({ servers: server.url });
      const jsm = await jetstreamManager(nc);
      await jsm.streams.add({ name: 'SINGLE', subjects: ['single.>'] });
      const js = jetstream(nc);

      const first = await js.publish('single.x', 'one', { msgID: 'id-1' });
      const again = await js.publish('single.x', 'one', { msgID: 'id-1' });
      expect(first).toMatchObject({ stream: 'SINGLE', seq: 1, duplicate: false });
      expect(again).toMatchObject({ stream: 'SINGLE', seq: 1, duplicate: true });
      expect((await jsm.streams.info('SINGLE')).state.messages).toBe(1);
    });

    it('stop() ends the process and removes the store dir', async () => {
      const other = await startNats({ jetstream: false });
      expect(existsSync(other.storeDir)).toBe(true);
      await other.stop();
      expect(other.exited).toBe(true);
      expect(existsSync(other.storeDir)).toBe(false);
    });
  });

  describe('3-node cluster', () => {
    let cluster: NatsCluster;
    const connections: NatsConnection[] = [];
    beforeAll(async () => {
      cluster = await startCluster(3);
    });
    afterAll(async () => {
      await Promise.all(connections.map((nc) => nc.close().catch(() => undefined)));
      await cluster?.stop();
    });

    it('is three named nodes on their own ports', () => {
      expect(cluster.nodes.map((node) => node.name)).toEqual(['node0', 'node1', 'node2']);
      expect(new Set(cluster.urls).size).toBe(3);
      expect(cluster.url).toBe(cluster.urls.join(','));
    });

    it('checks de-duplication before the expected last msg ID (R3 stream)', async () => {
      const nc = await connect({ servers: cluster.urls });
      connections.push(nc);
      const jsm = await jetstreamManager(nc);
      await jsm.streams.add({ name: 'ORDER', subjects: ['order.>'], num_replicas: 3 });
      const js = jetstream(nc);

      expect(await js.publish('order.x', 'a', { msgID: 'a' })).toMatchObject({ seq: 1, duplicate: false });
      expect(await js.publish('order.x', 'b', { msgID: 'b', expect: { lastMsgID: 'a' } })).toMatchObject({ seq: 2, duplicate: false });
      // 'a' again, with an expectation that no longer holds: the duplicate wins, no error.
      expect(await js.publish('order.x', 'a', { msgID: 'a', expect: { lastMsgID: 'zzz' } })).toMatchObject({ seq: 1, duplicate: true });
      // A new message with a wrong expectation: rejected, naming the actual last msg ID.
      await expect(js.publish('order.x', 'c', { msgID: 'c', expect: { lastMsgID: 'zzz' } })).rejects.toThrow(/wrong last msg ID: b/);

      const info = await jsm.streams.info('ORDER');
      expect(info.state.messages).toBe(2);
      expect(info.config.num_replicas).toBe(3);
    });

  });
});
