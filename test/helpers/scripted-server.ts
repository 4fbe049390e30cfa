import { createServer, type Server } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';
import { closeServers, endScript, listenLoopback, type ScriptEnd } from './loopback.js';

/** A step of the script: a frame to send, or a wait for the client to subscribe to a pair again. */
export type Step = string | { readonly awaitSubscribe: string };

export interface ScriptedServerOptions {
  /** JSON body of GET /public?command=returnTicker (or a function of the request count). */
  readonly tickerMap: unknown;
  /** REST answers to give before the ticker map: HTTP statuses (e.g. [502, 502]). */
  readonly restFailures?: readonly number[];
  /** Steps, started once `subscriptions` subscribe commands have arrived. */
  readonly steps: readonly Step[];
  readonly subscriptions: number;
  /** How the script ends: a normal close (1000) or a dropped TCP connection. */
  readonly end?: ScriptEnd;
}

export interface ScriptedServer {
  readonly url: string;
  readonly wsUrl: string;
  /** Every command received, in order, as parsed JSON. */
  readonly commands: unknown[];
  readonly restRequests: number;
  close(): Promise<void>;
}

/**
 * A small legacy push-API server that plays a fixed script: written independently of the simulator,
 * as an unseen server would be, so the CLI is tested against more than its own sibling.
 */
export async function startScriptedServer(options: ScriptedServerOptions): Promise<ScriptedServer> {
  const commands: unknown[] = [];
  let restRequests = 0;
  const http: Server = createServer((req, res) => {
    restRequests++;
    const failure = options.restFailures?.[restRequests - 1];
    if (failure !== undefined) {
      res.writeHead(failure, { 'content-type': 'text/plain' }).end('upstream trouble');
      return;
    }
    if (req.url !== '/public?command=returnTicker') {
      res.writeHead(404).end('{"error":"not found"}');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(options.tickerMap));
  });
  const wss = new WebSocketServer({ server: http });
  wss.on('connection', (socket) => {
    let subscribed = 0;
    let started = false;
    const waiters = new Map<string, () => void>();
    socket.on('message', (data) => {
      const command = JSON.parse(data.toString()) as { command: string; channel: unknown };
      commands.push(command);
      if (command.command === 'subscribe' && command.channel === 1002) socket.send('[1002,1]');
      if (command.command === 'subscribe') {
        subscribed++;
        waiters.get(String(command.channel))?.();
      }
      if (!started && subscribed >= options.subscriptions) {
        started = true;
        void play(socket, options, waiters);
      }
    });
  });
  const port = await listenLoopback(http);
  return {
    url: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}`,
    commands,
    get restRequests() {
      return restRequests;
    },
    close: () => closeServers(wss, http),
  };
}

async function play(socket: WebSocket, options: ScriptedServerOptions, waiters: Map<string, () => void>): Promise<void> {
  for (const step of options.steps) {
    if (typeof step === 'string') {
      socket.send(step);
      continue;
    }
    await new Promise<void>((resolve) => waiters.set(step.awaitSubscribe, resolve));
    waiters.delete(step.awaitSubscribe);
  }
  // Let the last frames leave before ending.
  await endScript(socket, options.end);
}
