import Agent from 'undici/lib/dispatcher/agent.js';
import requestOn from 'undici/lib/api/api-request.js';
import type { Dispatcher } from 'undici';

/**
 * undici's `request`, taken from the two modules it is made of. `import { request } from 'undici'`
 * loads all of undici (fetch, WebSocket, cookies, caches, mocks, proxies: 1.1 MB of bundle and the
 * Node built-ins they require) to make one GET a minute: 28 ms of CPU at every start, measured on
 * `polo-ws --help` (0.147 -> 0.119 s) and on a v3 run to its first line. What undici's index does
 * around it is done here the same way: the URL split into origin and path, handed to an Agent (the
 * global dispatcher's class, made on first use). Pinned by package-lock.json; a layout change in an
 * undici upgrade fails the build, not a run.
 */
export function request(href: string, options: Omit<Dispatcher.RequestOptions, 'origin' | 'path'>): Promise<Dispatcher.ResponseData> {
  agent ??= new Agent();
  const url = new URL(href);
  return requestOn.call(agent, { ...options, origin: url.origin, path: `${url.pathname}${url.search}` });
}

let agent: InstanceType<typeof Agent> | undefined;
