import { createServer } from 'node:http';
import { performance } from 'node:perf_hooks';
import { WebSocketServer } from 'ws';
import { ExchangeConnection, type ClientCommand, type ExchangeOptions, type Market, type Shared } from './exchange-like-connection.js';
import { MarketFeed, seeded } from './exchange-like-feed.js';
import { expectedRecords, textLine, type Expected } from './exchange-like-oracle.js';
import { closeServers, listenLoopback } from './loopback.js';

export { ExchangeConnection, type ClientCommand, type ExchangeOptions, type Market };

export interface ExchangeLikeServer {
  readonly url: string;
  readonly wsUrl: string;
  readonly connections: readonly ExchangeConnection[];
  readonly commands: readonly ClientCommand[];
  /** When each GET /markets arrived (ms since start). */
  readonly restRequests: readonly number[];
  elapsed(): number;
  /** What a correct client prints with --depth `depth`, from connection `fromConnection` on. */
  expected(depth?: number, fromConnection?: number): Expected[];
  expectedLines(depth?: number, fromConnection?: number): string[];
  close(): Promise<void>;
}

/** A /markets entry with the real response's other fields, which clients must ignore. */
function restMarket({ symbol, state }: Market): object {
  const [base = symbol, quote = ''] = symbol.split('_');
  return {
    symbol,
    baseCurrencyName: base,
    quoteCurrencyName: quote,
    displayName: `${base}/${quote}`,
    state,
    visibleStartTime: 1659018819512,
    tradableStartTime: 1659018819512,
    symbolTradeLimit: { symbol, priceScale: 2, quantityScale: 6, amountScale: 2, minQuantity: '0.000001', minAmount: '1', highestBid: '0', lowestAsk: '0' },
    crossMargin: { supportCrossMargin: false, maxLeverage: 1 },
  };
}

/** Starts a server shaped like the real v3 exchange on 127.0.0.1: GET /markets and /ws/public. */
export async function startExchangeLikeServer(options: ExchangeOptions): Promise<ExchangeLikeServer> {
  const started = performance.now();
  const elapsed = (): number => Math.round(performance.now() - started);
  const seed = options.seed ?? 1;
  const feeds = new Map<string, MarketFeed>();
  const connections: ExchangeConnection[] = [];
  const restRequests: number[] = [];
  const shared: Shared = {
    options,
    log: [],
    commands: [],
    random: seeded(seed + 1),
    elapsed,
    feed: (symbol) => {
      let feed = feeds.get(symbol);
      if (feed === undefined) feeds.set(symbol, (feed = new MarketFeed(symbol, seed)));
      return feed;
    },
    state: (symbol) => options.markets(elapsed()).find((m) => m.symbol === symbol)?.state,
  };
  const http = createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/markets') {
      restRequests.push(elapsed());
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(options.markets(elapsed()).map(restMarket)));
    } else res.writeHead(404, { 'content-type': 'application/json' }).end('{"code":404,"message":"Not found"}');
  });
  const wss = new WebSocketServer({ server: http, path: '/ws/public' });
  wss.on('connection', (socket) => connections.push(new ExchangeConnection(connections.length + 1, socket, shared)));
  const port = await listenLoopback(http);
  return {
    url: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}/ws/public`,
    connections,
    commands: shared.commands,
    restRequests,
    elapsed,
    expected: (depth = 1, from = 1) => expectedRecords(shared.log, depth, from),
    expectedLines: (depth = 1, from = 1) => expectedRecords(shared.log, depth, from).map(textLine),
    close: async () => {
      for (const connection of connections) connection.stop();
      await closeServers(wss, http);
    },
  };
}
