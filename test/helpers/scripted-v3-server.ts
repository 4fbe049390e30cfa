import { createServer, type Server } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';
import { closeServers, endScript, listenLoopback, type ScriptEnd } from './loopback.js';

/** A step: a message to send, a wait for the client to subscribe a symbol's book again, or a pause. */
export type V3Step = string | object | { readonly awaitBookSubscribe: string } | { readonly pauseMs: number };

export interface ScriptedV3Options {
  /** Body of GET /markets. */
  readonly markets: unknown;
  readonly steps: readonly V3Step[];
  /** Steps start once this many subscribe messages have arrived. */
  readonly subscribeMessages: number;
  readonly end?: ScriptEnd;
}

export interface ScriptedV3Server {
  readonly url: string;
  readonly wsUrl: string;
  readonly commands: { event: string; channel?: string[]; symbols?: string[] }[];
  close(): Promise<void>;
}

/**
 * A small server of the current Poloniex API that plays a fixed script; independent of the
 * simulator, as an unseen server would be.
 */
export async function startScriptedV3Server(options: ScriptedV3Options): Promise<ScriptedV3Server> {
  const commands: ScriptedV3Server['commands'] = [];
  const http: Server = createServer((req, res) => {
    if (req.url === '/markets') res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(options.markets));
    else res.writeHead(404, { 'content-type': 'application/json' }).end('{"code":404,"message":"Not found"}');
  });
  const wss = new WebSocketServer({ server: http, path: '/ws/public' });
  wss.on('connection', (socket) => {
    let subscribes = 0;
    const waiters = new Map<string, () => void>();
    socket.on('message', (data) => {
      const command = JSON.parse(data.toString()) as ScriptedV3Server['commands'][number];
      if (command.event === 'ping') {
        socket.send('{"event":"pong"}');
        return;
      }
      commands.push(command);
      for (const channel of command.channel ?? []) socket.send(JSON.stringify({ event: command.event, channel, symbols: command.symbols }));
      if (command.event !== 'subscribe') return;
      subscribes++;
      if (command.channel?.includes('book_lv2')) for (const symbol of command.symbols ?? []) waiters.get(symbol)?.();
      if (subscribes === options.subscribeMessages) void play(socket, options, waiters);
    });
  });
  const port = await listenLoopback(http);
  return {
    url: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}/ws/public`,
    commands,
    close: () => closeServers(wss, http),
  };
}

async function play(socket: WebSocket, options: ScriptedV3Options, waiters: Map<string, () => void>): Promise<void> {
  for (const step of options.steps) {
    if (typeof step === 'string') socket.send(step);
    else if ('awaitBookSubscribe' in step) {
      const symbol = (step as { awaitBookSubscribe: string }).awaitBookSubscribe;
      await new Promise<void>((resolve) => waiters.set(symbol, resolve));
      waiters.delete(symbol);
    } else if ('pauseMs' in step) await new Promise((resolve) => setTimeout(resolve, (step as { pauseMs: number }).pauseMs));
    else socket.send(JSON.stringify(step));
  }
  await endScript(socket, options.end);
}
