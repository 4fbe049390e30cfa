import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FaultPlan } from './faults.js';

/**
 * The simulator's REST side: `GET /public?command=returnTicker` answers the ticker map, anything
 * else a JSON 404; the rest-fail fault answers the first requests with its status instead.
 */
export function createRestHandler(tickerMapJson: string, faults: FaultPlan): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const failure = faults.takeRestFailure();
    if (failure !== undefined) return reply(res, failure, JSON.stringify({ error: 'Simulated failure.' }));
    const url = new URL(req.url ?? '/', 'http://simulator.invalid');
    const isTicker = req.method === 'GET' && url.pathname === '/public' && url.searchParams.get('command') === 'returnTicker';
    if (isTicker) return reply(res, 200, tickerMapJson);
    reply(res, 404, JSON.stringify({ error: 'Not found.' }));
  };
}

function reply(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}
