// Real nats-server processes for the tests: one server, or a JetStream cluster on loopback. No mocks.
//
// nats-server is a Debian package (`apt-get install -y nats-server`, v2.9.10 on bookworm); a
// machine without it skips the NATS tests (describeNats) with one loud warning per test file.
// Each server gets a fresh temp dir (its JetStream store, and its config file), a random client
// port (-p -1, the port read from its log) and, in a cluster, a route port allocated just before
// the start (a start that loses that port to another process is retried on new ports). Every
// server still running when the test process exits is killed and its dir removed.
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, rmSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { isMainThread } from 'node:worker_threads';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { describe } from 'vitest';

/** A running (or killed) nats-server. */
export interface NatsServer {
  /** nats://127.0.0.1:PORT */
  readonly url: string;
  readonly port: number;
  /** The server's own temp dir: JetStream store (under jetstream/) and, in a cluster, its nats.conf. */
  readonly storeDir: string;
  /** The server name (-n / server_name): node0, node1, ... in a cluster; undefined for startNats. */
  readonly name: string | undefined;
  readonly pid: number;
  /** Whether the process has exited. */
  readonly exited: boolean;
  /** Sends the signal (default SIGKILL: a crash) and resolves once the process has exited. Keeps the store dir. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Graceful stop (SIGTERM, SIGKILL after 5 s), then removes the store dir. Idempotent. */
  stop(): Promise<void>;
  /** Everything the server has logged so far (stdout and stderr). */
  log(): string;
}

/** A JetStream cluster of nats-servers on loopback. */
export interface NatsCluster {
  readonly nodes: NatsServer[];
  /** Each node's client URL, in node order. */
  readonly urls: string[];
  /** All client URLs joined with commas (a `servers` value for connect, or a --nats-url like option). */
  readonly url: string;
  /** The cluster's name (cluster { name }). */
  readonly name: string;
  /** Stops every node (in parallel) and removes their dirs. Idempotent. */
  stop(): Promise<void>;
}

const INSTALL_HINT = "install Debian's nats-server: apt-get install -y nats-server";
const READY_TIMEOUT_MS = 10_000;
const CLUSTER_READY_TIMEOUT_MS = 20_000;
const STOP_GRACE_MS = 5_000;
const LOG_LIMIT = 1_000_000;

/** The nats-server executable: $NATS_SERVER, then PATH, then /usr/sbin and /usr/bin; undefined when absent. */
export function findNatsServer(): string | undefined {
  const candidates: string[] = [];
  const fromEnv = process.env['NATS_SERVER'];
  if (fromEnv) candidates.push(fromEnv);
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) if (dir) candidates.push(join(dir, 'nats-server'));
  candidates.push('/usr/sbin/nats-server', '/usr/bin/nats-server');
  return candidates.find(isExecutable);
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

const natsPath = findNatsServer();

/** Whether nats-server is installed here. */
export const natsAvailable: boolean = natsPath !== undefined;

const warnedFiles = new Set<string>();

/** The loud warning, once per test file (the module itself loads once per worker: isolate is false). */
function warnSkipped(): void {
  const file = callerFile() ?? '(unknown file)';
  if (warnedFiles.has(file)) return;
  warnedFiles.add(file);
  const line = '!'.repeat(100);
  console.warn(`\n${line}\n!!! nats-server not found: NATS tests SKIPPED (${INSTALL_HINT})\n!!! in ${file}\n${line}\n`);
}

/** The first file on the stack outside this helper: the test file calling describeNats. */
function callerFile(): string | undefined {
  const self = import.meta.url.replace(/^file:\/\//, '');
  for (const frame of (new Error().stack ?? '').split('\n').slice(1)) {
    const m = /(?:\(|at )(?:file:\/\/)?(\/[^():]+):\d+:\d+\)?\s*$/.exec(frame);
    const file = m?.[1];
    if (file && file !== self && !file.includes('/node_modules/')) return file;
  }
  return undefined;
}

/**
 * `describe` when nats-server is installed, else `describe.skip` plus one loud warning on stderr per
 * test file. Chains like describe: describeNats.concurrent(...), describeNats.sequential(...).
 */
export const describeNats: ReturnType<typeof describe.skipIf> = natsAvailable
  ? describe.skipIf(false)
  : new Proxy(describe.skipIf(true), {
      apply(target, thisArg, args) {
        warnSkipped();
        return Reflect.apply(target, thisArg, args);
      },
      get(target, prop, receiver) {
        warnSkipped();
        return Reflect.get(target, prop, receiver);
      },
    });

function requireNats(): string {
  if (natsPath === undefined) throw new Error(`nats-server not found (${INSTALL_HINT}); guard the test with describeNats`);
  return natsPath;
}

// Every live server, killed (SIGKILL) and its dir removed when the test process exits.
const live = new Set<{ child: ChildProcess; dir: string }>();
let cleanupRegistered = false;

function registerCleanup(): void {
  if (cleanupRegistered) return;
  cleanupRegistered = true;
  const killAll = (): void => {
    for (const entry of live) {
      try {
        entry.child.kill('SIGKILL');
      } catch {
        // already gone
      }
      try {
        rmSync(entry.dir, { recursive: true, force: true });
      } catch {
        // best effort
      }
    }
    live.clear();
  };
  process.on('exit', killAll);
  // Signals reach only the main thread; in a worker thread 'exit' is the hook.
  if (isMainThread) {
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
      process.once(signal, () => {
        killAll();
        // Our listener is gone (once): the signal's default action (or the other listeners) follows.
        process.kill(process.pid, signal);
      });
    }
  }
}

/** Starts one nats-server process in a fresh dir and waits for "Server is ready" and its client port. */
async function spawnServer(args: (dir: string) => Promise<string[]>, name: string | undefined): Promise<NatsServer> {
  const bin = requireNats();
  registerCleanup();
  const dir = await mkdtemp(join(tmpdir(), 'polo-ws-nats-'));
  const argv = await args(dir);
  const child = spawn(bin, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  const entry = { child, dir };
  live.add(entry);

  let text = '';
  const onData = (chunk: Buffer): void => {
    text += chunk.toString('utf8');
    if (text.length > LOG_LIMIT) text = text.slice(text.length - LOG_LIMIT);
    check();
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);

  let exited = false;
  const exit = new Promise<void>((resolve) => {
    child.once('exit', () => {
      exited = true;
      resolve();
      check();
    });
    child.once('error', (err) => {
      text += `\n[spawn error] ${err.message}\n`;
      exited = true;
      resolve();
      check();
    });
  });

  let settle: ((port: number | Error) => void) | undefined;
  const ready = new Promise<number | Error>((resolve) => (settle = resolve));
  function check(): void {
    if (!settle) return;
    const port = /Listening for client connections on [^\s]*:(\d+)/.exec(text)?.[1];
    if (port && text.includes('Server is ready')) {
      settle(Number(port));
      settle = undefined;
    } else if (exited) {
      settle(new Error(`nats-server ${argv.join(' ')} exited before it was ready (code ${child.exitCode}, signal ${child.signalCode}); log:\n${text}`));
      settle = undefined;
    }
  }
  const timer = setTimeout(() => {
    settle?.(new Error(`nats-server ${argv.join(' ')} not ready after ${READY_TIMEOUT_MS} ms; log:\n${text}`));
    settle = undefined;
  }, READY_TIMEOUT_MS);
  const result = await ready;
  clearTimeout(timer);

  const kill = async (signal: NodeJS.Signals = 'SIGKILL'): Promise<void> => {
    if (!exited) child.kill(signal);
    await exit;
  };
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      if (!exited) {
        child.kill('SIGTERM');
        const grace = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
        await exit;
        clearTimeout(grace);
      }
      live.delete(entry);
      await rm(dir, { recursive: true, force: true });
    })());

  if (result instanceof Error) {
    await kill();
    live.delete(entry);
    await rm(dir, { recursive: true, force: true });
    throw result;
  }
  const port = result;
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    storeDir: dir,
    name,
    pid: child.pid!,
    get exited() {
      return exited;
    },
    kill,
    stop,
    log: () => text,
  };
}

/** Starts `nats-server [-js] -a 127.0.0.1 -p -1 -sd <fresh temp dir>` and waits until it is ready. */
export async function startNats(options: { jetstream?: boolean } = {}): Promise<NatsServer> {
  const jetstream = options.jetstream ?? true;
  return spawnServer(async (dir) => [...(jetstream ? ['-js'] : []), '-a', '127.0.0.1', '-p', '-1', '-sd', dir], undefined);
}

/** A free loopback port, as of now (the listener is closed again before the port is used). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * Starts an n-node JetStream cluster (server names node0..node<n-1>, each with its own store dir and
 * config file, client ports random, routes to every other node) and waits until the JetStream meta
 * group has a leader and accepts an R<n> stream (a probe stream, created and deleted).
 */
export async function startCluster(n = 3): Promise<NatsCluster> {
  requireNats();
  for (let attempt = 1; ; attempt++) {
    try {
      return await startClusterOnce(n);
    } catch (err) {
      // A route port taken between its allocation and the server's listen: try again on new ports.
      if (attempt < 3 && err instanceof Error && /address already in use/i.test(err.message)) continue;
      throw err;
    }
  }
}

async function startClusterOnce(n: number): Promise<NatsCluster> {
  const clusterName = `polo-ws-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const routePorts: number[] = [];
  while (routePorts.length < n) {
    const port = await freePort();
    if (!routePorts.includes(port)) routePorts.push(port);
  }
  const started = await Promise.allSettled(
    routePorts.map((routePort, i) =>
      spawnServer(async (dir) => {
        const routes = routePorts.filter((_, j) => j !== i).map((p) => `nats-route://127.0.0.1:${p}`);
        const conf = [
          `server_name: node${i}`,
          `listen: "127.0.0.1:-1"`,
          `jetstream {`,
          `  store_dir: ${JSON.stringify(dir)}`,
          `}`,
          `cluster {`,
          `  name: ${JSON.stringify(clusterName)}`,
          `  listen: "127.0.0.1:${routePort}"`,
          `  routes: [`,
          ...routes.map((r) => `    ${JSON.stringify(r)}`),
          `  ]`,
          `}`,
          '',
        ].join('\n');
        const file = join(dir, 'nats.conf');
        await writeFile(file, conf);
        return ['-c', file];
      }, `node${i}`),
    ),
  );
  const nodes = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => (stopping ??= Promise.all(nodes.map((node) => node.stop())).then(() => undefined));
  if (failed) {
    await stop();
    throw failed.reason;
  }
  const urls = nodes.map((node) => node.url);
  try {
    await waitForJetStreamCluster(urls, n);
  } catch (err) {
    const logs = nodes.map((node) => `--- ${node.name} ---\n${tail(node.log(), 4000)}`).join('\n');
    await stop();
    throw new Error(`${(err as Error).message}\n${logs}`);
  }
  return { nodes, urls, url: urls.join(','), name: clusterName, stop };
}

/** Polls until JetStream answers account info and an R<replicas> stream can be created. */
async function waitForJetStreamCluster(urls: string[], replicas: number): Promise<void> {
  const deadline = Date.now() + CLUSTER_READY_TIMEOUT_MS;
  const nc = await connect({ servers: urls, timeout: 2000 });
  let lastError: unknown;
  try {
    const jsm = await jetstreamManager(nc, { checkAPI: false, timeout: 1000 });
    const probe = `HARNESS_READY_${Math.random().toString(36).slice(2, 10)}`;
    while (Date.now() < deadline) {
      try {
        await jsm.getAccountInfo();
        await jsm.streams.add({ name: probe, subjects: [`harness.ready.${probe}`], num_replicas: replicas, storage: 'memory' });
        await jsm.streams.delete(probe);
        return;
      } catch (err) {
        lastError = err;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    throw new Error(`JetStream cluster not ready after ${CLUSTER_READY_TIMEOUT_MS} ms: ${String(lastError)}`);
  } finally {
    await nc.close().catch(() => undefined);
  }
}

/**
 * The server name of the JetStream meta leader as the live nodes' logs last reported it ("Self is new
 * JetStream cluster metadata leader" / "new metadata leader: node1/<cluster>"), or undefined.
 */
export function metaLeader(cluster: NatsCluster): string | undefined {
  let latest: { at: string; name: string } | undefined;
  for (const node of cluster.nodes) {
    if (node.exited) continue;
    for (const line of node.log().split('\n')) {
      const at = /\] (\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d\.\d+) /.exec(line)?.[1];
      if (!at) continue;
      const name = line.includes('Self is new JetStream cluster metadata leader')
        ? node.name
        : /JetStream cluster new metadata leader: ([^/\s]+)\//.exec(line)?.[1];
      if (name && (!latest || at >= latest.at)) latest = { at, name };
    }
  }
  return latest?.name;
}

function tail(text: string, max: number): string {
  return text.length > max ? `...${text.slice(text.length - max)}` : text;
}
