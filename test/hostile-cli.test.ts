import type { ChildProcess } from 'node:child_process';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_BODY_BYTES } from '../src/markets/http.js';
import { integerOption, secondsOption, secondsOrNever } from '../src/cli/options.js';
import { runCli, type CliResult } from './helpers/run-cli.js';
import { runInProcess } from './helpers/run-in-process.js';

/**
 * A careless user and a hostile REST server: bodies that never end, answers that never come, signals
 * while waiting (against the built CLI, a process), option values that overflow timers, URLs with
 * credentials (in this process, through run()). Every case ends with its documented exit status and
 * one clear stderr line, well within 10 s.
 */

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

interface RestServer {
  readonly url: string;
  /** Each request's URL (path and query), in order. */
  readonly requests: string[];
  /** Each request's Authorization header. */
  readonly authorizations: (string | undefined)[];
}

let cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups) await cleanup();
  cleanups = [];
});

async function restServer(handler: Handler): Promise<RestServer> {
  const requests: string[] = [];
  const authorizations: (string | undefined)[] = [];
  const server: Server = createServer((req, res) => {
    requests.push(req.url ?? '');
    authorizations.push(req.headers.authorization);
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests, authorizations };
}

/** A 200 answer that never ends, written as fast as the client reads; counts what it wrote. */
function endlessBody(written: { bytes: number }): Handler {
  const chunk = Buffer.alloc(64 * 1024, ' ');
  return (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write('[');
    const pump = (): void => {
      while (!res.destroyed) {
        written.bytes += chunk.length;
        if (!res.write(chunk)) return void res.once('drain', pump);
      }
    };
    pump();
  };
}

/** A 200 answer that sends one byte every 50 ms, forever: never idle long enough for a body timeout. */
const trickle: Handler = (_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  const timer = setInterval(() => res.write(' '), 50);
  res.on('close', () => clearInterval(timer));
};

/** Accepts the request and never answers. */
const silent: Handler = () => undefined;

function oneErrorLine(result: CliResult): string {
  const lines = result.stderr.trimEnd().split('\n');
  expect(lines, result.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^polo-ws: error: /);
  expect(result.stdout).toBe('');
  return lines[0] as string;
}

/** Sends SIGINT once `ready()` holds (polled), and records when. */
function sigintWhen(ready: () => boolean, sent: { at: number }): (child: ChildProcess) => void {
  return (child) => {
    const poll = setInterval(() => {
      if (!ready()) return;
      clearInterval(poll);
      sent.at = Date.now();
      child.kill('SIGINT');
    }, 20);
    child.on('close', () => clearInterval(poll));
  };
}

describe('a REST body is bounded', () => {
  it('refuses an endless market list with exit 4 after reading at most 8 MiB, and does not retry it', async () => {
    const written = { bytes: 0 };
    const server = await restServer(endlessBody(written));
    const result = await runInProcess(['--rest-url', server.url, '--rest-retries', '3'], { timeoutMs: 8_000 });
    expect(result.code).toBe(4);
    expect(oneErrorLine(result)).toBe(
      `polo-ws: error: the market list from ${server.url}/markets is too large: more than the 8 MiB limit; stopped reading it`,
    );
    expect(server.requests).toHaveLength(1);
    // The client stopped reading: what the server got rid of is the limit plus socket buffers, not gigabytes.
    expect(written.bytes).toBeLessThan(MAX_BODY_BYTES + 24 * 1024 * 1024);
  });

  it('refuses a ticker map whose content-length is over the limit before reading it, exit 4', async () => {
    const server = await restServer((_req, res) => {
      res.writeHead(200, { 'content-length': String(1024 ** 3) });
      res.write('{'); // and nothing more: a client that waited for the body would hang until the timeout
    });
    const started = Date.now();
    const result = await runInProcess(['--api', 'legacy', '--rest-url', server.url, '--rest-timeout', '8'], { timeoutMs: 8_000 });
    expect(result.code).toBe(4);
    expect(oneErrorLine(result)).toBe(
      `polo-ws: error: the ticker map from ${server.url}/public?command=returnTicker is too large: 1073741824 bytes (content-length), over the 8 MiB limit`,
    );
    expect(Date.now() - started).toBeLessThan(4_000);
    expect(server.requests).toHaveLength(1);
  });

  it('ends a body that trickles forever at --rest-timeout, exit 3', async () => {
    const server = await restServer(trickle);
    const started = Date.now();
    const result = await runInProcess(['--rest-url', server.url, '--rest-timeout', '1', '--rest-retries', '0'], { timeoutMs: 8_000 });
    expect(result.code).toBe(3);
    expect(oneErrorLine(result)).toBe(
      `polo-ws: error: cannot fetch the market list from ${server.url}/markets: no complete answer within 1 s; check --rest-url and the network`,
    );
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});

describe('a signal ends a REST wait at once', () => {
  for (const api of ['v3', 'legacy']) {
    it(`exits 130 with the summary within 3 s of SIGINT (not the whole wait) while the ${api} market list hangs, no retry warning`, async () => {
      const server = await restServer(silent);
      const sent = { at: 0 };
      const result = await runCli(['--api', api, '--rest-url', server.url, '--ws-url', 'ws://127.0.0.1:1'], {
        timeoutMs: 8_000,
        onSpawn: sigintWhen(() => server.requests.length > 0, sent),
      });
      expect(Date.now() - sent.at).toBeLessThan(3_000);
      expect(result.code).toBe(130);
      expect(result.stderr).toMatch(/^polo-ws: stopped by SIGINT: 0 frames, 0 lines, 0 gaps, 0 resyncs, 0 reconnects, 0 bad frames, 0 resync timeouts\n$/);
    });
  }

  it('exits 130 within 3 s of SIGINT (not the whole wait) while waiting out a Retry-After', async () => {
    const server = await restServer((_req, res) => res.writeHead(503, { 'retry-after': '60' }).end());
    const sent = { at: 0 };
    const result = await runCli(['--rest-url', server.url], { timeoutMs: 8_000, onSpawn: sigintWhen(() => server.requests.length > 0, sent) });
    expect(Date.now() - sent.at).toBeLessThan(3_000);
    expect(result.code).toBe(130);
    expect(server.requests).toHaveLength(1);
    expect(result.stderr).toMatch(/stopped by SIGINT/);
  });
});

describe('numeric options', () => {
  it('refuse what is not a plain decimal, overflows a timer or rounds to nothing: exit 2 saying the range', async () => {
    const cases = [
      ['--duration', '2147484'],
      ['--rest-timeout', '1e20'],
      ['--heartbeat-timeout', '1e-9'],
      ['--resync-timeout', '0.0001'],
      ['--rest-timeout', '0x10'],
      ['--data-timeout', 'Infinity'],
      ['--markets-refresh', '0.01'],
    ];
    await Promise.all(
      cases.map(async (args) => {
        const result = await runInProcess(args);
        expect(result.code, args.join(' ')).toBe(2);
        expect(result.stderr, args.join(' ')).toMatch(/^polo-ws: error: .*expected (0 \(never\) or )?seconds from 0\.1 to 2147483 \(about 24\.8 days\)/);
        expect(result.stdout).toBe('');
      }),
    );
  });

  it('refuse hex, exponents and fractions where a whole number is wanted: exit 2', async () => {
    for (const args of [['--depth', '0x10'], ['--max-lines', '1e3'], ['--rest-retries', '2.0'], ['--max-reconnects', '-1']]) {
      const result = await runInProcess(args);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr, args.join(' ')).toMatch(/^polo-ws: error: /);
    }
  });

  it('take plain decimals in range, and 0 as never where 0 means never', () => {
    expect(secondsOption('0.1')).toBe(100);
    expect(secondsOption('.25')).toBe(250);
    expect(secondsOption('2147483')).toBe(2_147_483_000);
    expect(secondsOrNever('0')).toBe(Number.POSITIVE_INFINITY);
    expect(secondsOrNever('0.0')).toBe(Number.POSITIVE_INFINITY);
    expect(secondsOrNever('2.5')).toBe(2_500);
    expect(() => secondsOption('0')).toThrow(/from 0\.1 to 2147483/);
    expect(() => secondsOrNever('-0')).toThrow(/0 \(never\) or seconds/);
    expect(integerOption(1, 20)('016')).toBe(16);
    expect(() => integerOption(1, 20)('21')).toThrow('expected a whole number from 1 to 20, got "21"');
  });
});

describe('URLs', () => {
  it('uses credentials in --rest-url as Basic auth and never echoes them, in warnings or the error', async () => {
    const server = await restServer((_req, res) => res.writeHead(503).end());
    const withCredentials = server.url.replace('http://', 'http://alice:s3cret@');
    const result = await runInProcess(['--rest-url', withCredentials, '--rest-retries', '1']);
    expect(result.code).toBe(3);
    expect(result.stderr).not.toContain('s3cret');
    expect(result.stderr).not.toContain('alice');
    expect(result.stderr).toContain(`cannot fetch the market list from ${server.url.replace('http://', 'http://***@')}/markets: HTTP 503`);
    expect(server.authorizations).toEqual([`Basic ${Buffer.from('alice:s3cret').toString('base64')}`, `Basic ${Buffer.from('alice:s3cret').toString('base64')}`]);
  });

  it('never echoes credentials of a refused --ws-url or --rest-url: exit 2', async () => {
    for (const args of [['--ws-url', 'http://bob:hunter2@example.test'], ['--rest-url', 'ftp://bob:hunter2@example.test'], ['--ws-url', 'ws://bob:hunter2@example.test/#x']]) {
      const result = await runInProcess(args);
      expect(result.code, args.join(' ')).toBe(2);
      expect(oneErrorLine(result)).toContain('"' + args[1]?.replace('bob:hunter2@', '***@'));
      expect(result.stderr).not.toContain('hunter2');
    }
  });

  it('appends the endpoint to --rest-url\'s path, keeps its query and drops its fragment', async () => {
    const server = await restServer((_req, res) => res.writeHead(404).end());
    await runInProcess(['--rest-url', `${server.url}/api/?key=a%20b#frag`]);
    await runInProcess(['--api', 'legacy', '--rest-url', `${server.url}/api?key=1#frag`]);
    expect(server.requests).toEqual(['/api/markets?key=a%20b', '/api/public?key=1&command=returnTicker']);
  });

  it('refuses a websocket URL with a #fragment, exit 2 (not an internal error)', async () => {
    const result = await runInProcess(['--ws-url', 'ws://127.0.0.1:1/ws/public#x']);
    expect(result.code).toBe(2);
    expect(oneErrorLine(result)).toBe('polo-ws: error: --ws-url "ws://127.0.0.1:1/ws/public#x": a websocket URL cannot have a #fragment');
  });
});
