import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';
import { closeServers, listenLoopback } from './loopback.js';

/**
 * A hostile exchange on 127.0.0.1 for either protocol: it answers REST as told (any status and
 * body, or never), acks subscriptions, answers pings, and once the client has subscribed plays
 * whatever the test wants, then closes with any code and reason. Independent of src/sim.
 */

/** A REST answer: status and raw body, or 'hang' (never answered until the server closes). */
export type RestAnswer = { readonly status: number; readonly body: string } | 'hang';

export interface HostileServerOptions {
  readonly api: 'v3' | 'legacy';
  /** The answer to the n-th REST request (1-based) for `path`. */
  readonly rest: (path: string, n: number) => RestAnswer;
  /** Runs once the first subscribe of a connection has arrived (and `settleMs` more have passed). */
  readonly play: (conn: HostileConnection) => Promise<void> | void;
  /** How long to let the client's other subscribe messages arrive before playing; default 150 ms. */
  readonly settleMs?: number;
}

export interface HostileConnection {
  readonly number: number;
  readonly socket: WebSocket;
  send(frame: string | object): void;
  /** Resolves once everything sent so far has been handed to the kernel. */
  drained(): Promise<void>;
  close(code: number, reason: string): void;
  sleep(ms: number): Promise<void>;
}

export interface HostileServer {
  readonly url: string;
  readonly wsUrl: string;
  readonly restRequests: number;
  readonly connections: number;
  /** Every command received, parsed (or the raw text when not JSON). */
  readonly commands: unknown[];
  close(): Promise<void>;
}

export async function startHostileServer(options: HostileServerOptions): Promise<HostileServer> {
  const counts = new Map<string, number>();
  const hanging = new Set<ServerResponse>();
  const commands: unknown[] = [];
  let restRequests = 0;
  let connections = 0;
  let closing = false;
  const timers = new Set<NodeJS.Timeout>();
  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    });

  const http = createServer((req: IncomingMessage, res: ServerResponse) => {
    restRequests++;
    const path = req.url ?? '/';
    const n = (counts.get(path) ?? 0) + 1;
    counts.set(path, n);
    const answer = options.rest(path, n);
    if (answer === 'hang') {
      hanging.add(res);
      res.on('close', () => hanging.delete(res));
      return;
    }
    res.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.body);
  });
  const wss = new WebSocketServer(options.api === 'v3' ? { server: http, path: '/ws/public' } : { server: http });
  wss.on('connection', (socket) => {
    connections++;
    const conn: HostileConnection = {
      number: connections,
      socket,
      send: (frame) => {
        if (socket.readyState === socket.OPEN) socket.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
      },
      drained: async () => {
        while (socket.readyState === socket.OPEN && socket.bufferedAmount > 0 && !closing) await sleep(5);
      },
      close: (code, reason) => {
        if (socket.readyState === socket.OPEN) socket.close(code, reason);
      },
      sleep,
    };
    let played = false;
    socket.on('message', (data) => {
      const text = data.toString();
      let command: unknown = text;
      try {
        command = JSON.parse(text);
      } catch {
        // kept raw
      }
      const c = (command ?? {}) as { event?: unknown; command?: unknown; channel?: unknown; symbols?: unknown };
      if (c.event === 'ping') {
        conn.send('{"event":"pong"}');
        return;
      }
      commands.push(command);
      if (options.api === 'v3' && c.event === 'subscribe' && Array.isArray(c.channel)) {
        for (const channel of c.channel) conn.send({ event: 'subscribe', channel, symbols: c.symbols });
      }
      if (options.api === 'legacy' && c.command === 'subscribe' && c.channel === 1002) conn.send('[1002,1]');
      const subscribe = c.event === 'subscribe' || c.command === 'subscribe';
      if (subscribe && !played) {
        played = true;
        void sleep(options.settleMs ?? 150).then(() => (closing ? undefined : options.play(conn)));
      }
    });
  });
  const port = await listenLoopback(http);
  return {
    url: `http://127.0.0.1:${port}`,
    wsUrl: options.api === 'v3' ? `ws://127.0.0.1:${port}/ws/public` : `ws://127.0.0.1:${port}`,
    get restRequests() {
      return restRequests;
    },
    get connections() {
      return connections;
    },
    commands,
    close: async () => {
      closing = true;
      for (const timer of timers) clearTimeout(timer);
      for (const res of hanging) res.destroy();
      http.closeAllConnections();
      await closeServers(wss, http);
    },
  };
}

/** A v3 /markets body of NORMAL markets. */
export function v3Markets(...symbols: string[]): RestAnswer {
  return { status: 200, body: JSON.stringify(symbols.map((symbol) => ({ symbol, state: 'NORMAL' }))) };
}
