import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FaultPlan } from './faults.js';

/** The JSON body served at a URL, or undefined for a 404. */
export type RestRoutes = (url: URL) => string | undefined;

/**
 * The simulator's REST side: a GET the protocol's `routes` know answers their JSON, anything else
 * a JSON 404; the rest-fail fault answers the first requests with its status instead.
 */
export function createRestHandler(routes: RestRoutes, faults: FaultPlan): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const failure = faults.takeRestFailure();
    if (failure !== undefined) return reply(res, failure, JSON.stringify({ error: 'Simulated failure.' }));
    const body = req.method === 'GET' ? routes(new URL(req.url ?? '/', 'http://simulator.invalid')) : undefined;
    if (body !== undefined) return reply(res, 200, body);
    reply(res, 404, JSON.stringify({ error: 'Not found.' }));
  };
}

function reply(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}
