import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { SimConnection, SimConnectionLog } from './connection.js';
import { FaultPlan } from './faults.js';
import { LegacyConnection } from './legacy-connection.js';
import { restTickerMap } from './legacy.js';
import { Market } from './market.js';
import { resolveOptions, type SimApi, type SimOptions } from './options.js';
import { createRestHandler, type RestRoutes } from './rest.js';
import { V3Connection } from './v3-connection.js';
import { v3Market } from './v3-feed.js';
import { V3Listing } from './v3-listing.js';
import { v3Routes } from './v3-rest.js';

/** A running simulator. */
export interface SimServer {
  /** The protocol it speaks. */
  readonly api: SimApi;
  readonly port: number;
  /** "http://127.0.0.1:PORT" */
  readonly restUrl: string;
  /** "ws://127.0.0.1:PORT" (legacy) or "ws://127.0.0.1:PORT/ws/public" (v3; any path is accepted). */
  readonly wsUrl: string;
  /** Every connection accepted so far, in accept order. */
  connections(): readonly SimConnectionLog[];
  /**
   * Resolves when the connection with this id (1-based) has closed, waiting for it to be accepted
   * first if need be. Also resolves when the simulator closes before accepting it.
   */
  waitForClose(id: number): Promise<void>;
  /** Closes every socket and the server; leaves no timer behind. */
  close(): Promise<void>;
}

/** What one protocol contributes: its REST routes and a connection per accepted socket. */
interface Protocol {
  readonly routes: RestRoutes;
  readonly connect: (id: number, ws: WebSocket, options: SimOptions, faults: FaultPlan) => SimConnection;
}

/**
 * Starts a deterministic simulated Poloniex exchange speaking the current API (api 'v3', the
 * default) or the legacy push API (api 'legacy'): REST and the websocket feed on one loopback port.
 * @throws RangeError for an out-of-range option.
 */
export async function startSimulator(options?: Partial<SimOptions>): Promise<SimServer> {
  const resolved = resolveOptions(options);
  const faults = new FaultPlan(resolved.faults);
  const protocol = resolved.api === 'v3' ? v3Protocol(resolved) : legacyProtocol(resolved);
  const http = createServer(createRestHandler(protocol.routes, faults));
  const host = resolved.host ?? '127.0.0.1';
  const port = await listen(http, host, resolved.port ?? 0);
  return new Simulator(http, host, port, resolved, faults, protocol);
}

// Every connection starts from the same seeded market, so REST serves its opening state.
function legacyProtocol(options: SimOptions): Protocol {
  const tickerMap = JSON.stringify(restTickerMap(new Market(options).tickers()));
  return {
    routes: (url) => (url.pathname === '/public' && url.searchParams.get('command') === 'returnTicker' ? tickerMap : undefined),
    connect: (...args) => new LegacyConnection(...args),
  };
}

function v3Protocol(options: SimOptions): Protocol {
  const market = v3Market(options);
  // The listing's clock starts with the simulator: a new-listing fault's delay counts from here.
  const late = options.faults.flatMap((fault) => (fault.kind === 'new-listing' ? [fault.ms] : []));
  const listing = new V3Listing(market.pairs, late.length > 0 ? Math.max(...late) : undefined);
  return { routes: v3Routes(listing, market), connect: (...args) => new V3Connection(...args, listing) };
}

class Simulator implements SimServer {
  readonly api: SimApi;
  readonly port: number;
  readonly restUrl: string;
  readonly wsUrl: string;
  private readonly http: Server;
  private readonly wss: WebSocketServer;
  private readonly options: SimOptions;
  private readonly faults: FaultPlan;
  private readonly protocol: Protocol;
  private readonly accepted: SimConnection[] = [];
  /** Callers of waitForClose for ids not accepted yet. */
  private readonly arrivals = new Map<number, Array<() => void>>();
  private closing = false;

  constructor(http: Server, host: string, port: number, options: SimOptions, faults: FaultPlan, protocol: Protocol) {
    this.http = http;
    this.api = options.api;
    this.port = port;
    this.options = options;
    this.faults = faults;
    this.protocol = protocol;
    const hostInUrl = host.includes(':') ? `[${host}]` : host;
    this.restUrl = `http://${hostInUrl}:${port}`;
    this.wsUrl = `ws://${hostInUrl}:${port}${options.api === 'v3' ? '/ws/public' : ''}`;
    this.wss = new WebSocketServer({ server: http, perMessageDeflate: false });
    this.wss.on('connection', (ws) => this.accept(ws));
  }

  connections(): readonly SimConnectionLog[] {
    return [...this.accepted];
  }

  async waitForClose(id: number): Promise<void> {
    await (await this.whenAccepted(id))?.closed;
  }

  async close(): Promise<void> {
    this.closing = true;
    for (const wake of [...this.arrivals.values()].flat()) wake();
    this.arrivals.clear();
    for (const connection of this.accepted) connection.terminate();
    await Promise.all(this.accepted.map((connection) => connection.closed));
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    // Keep-alive REST sockets would hold close() open until they time out.
    this.http.closeAllConnections();
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
  }

  private accept(ws: WebSocket): void {
    if (this.closing) return ws.terminate();
    const connection = this.protocol.connect(this.accepted.length + 1, ws, this.options, this.faults);
    this.accepted.push(connection);
    for (const wake of this.arrivals.get(connection.id) ?? []) wake();
    this.arrivals.delete(connection.id);
  }

  private whenAccepted(id: number): Promise<SimConnection | undefined> {
    const found = this.accepted[id - 1];
    if (found !== undefined || this.closing) return Promise.resolve(found);
    return new Promise((resolve) => {
      const waiting = this.arrivals.get(id) ?? [];
      waiting.push(() => resolve(this.accepted[id - 1]));
      this.arrivals.set(id, waiting);
    });
  }
}

function listen(http: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    http.once('error', reject);
    http.listen(port, host, () => {
      http.off('error', reject);
      resolve((http.address() as AddressInfo).port);
    });
  });
}
