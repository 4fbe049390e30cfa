import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from './helpers/run-cli.js';
import { runInProcess } from './helpers/run-in-process.js';
import { startScriptedServer, type ScriptedServer } from './helpers/scripted-server.js';

const tickerMap = { BTC_ETH: { id: 148 } };
// Tests run concurrently, so servers are closed with the file, not after "each" test.
const servers: { close(): unknown }[] = [];
afterAll(async () => {
  for (const s of servers.splice(0)) await s.close();
});

/** An HTTP server answering every request with this status and body. */
async function restServer(status: number, body: string): Promise<string> {
  const server: Server = createServer((_req, res) => res.writeHead(status, { 'content-type': 'application/json' }).end(body));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push({ close: () => new Promise((resolve) => server.close(resolve)) });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function scripted(options: Partial<Parameters<typeof startScriptedServer>[0]> = {}): Promise<ScriptedServer> {
  const server = await startScriptedServer({ tickerMap, steps: [], subscriptions: 2, ...options });
  servers.push(server);
  return server;
}

function oneErrorLine(stderr: string): string {
  const lines = stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^polo-ws: error: /);
  return lines[0] as string;
}

// In this process through run(): what the CLI decides. The process itself (exit status, signals) below.
describe.concurrent('exit statuses and error lines', () => {
  it('retries a failing market list with a warning each time, then gives up with exit 3', async () => {
    const base = await restServer(503, '');
    const result = await runInProcess(['--rest-url', base, '--rest-retries', '2']);
    expect(result.code).toBe(3);
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^polo-ws: warning: the market list request failed \(HTTP 503\); retry 1 of 2 in 0\.\d s$/);
    expect(lines[2]).toMatch(/^polo-ws: error: cannot fetch the market list from .*\/markets: HTTP 503$/);
  });

  it('does not retry an HTTP 404: exit 3 at once', async () => {
    const base = await restServer(404, '{"code":404}');
    const result = await runInProcess(['--rest-url', base]);
    expect(result.code).toBe(3);
    oneErrorLine(result.stderr);
  });

  it('exits 3 when the REST server cannot be reached', async () => {
    const port = await closedPort();
    const result = await runInProcess(['--api', 'legacy', '--rest-url', `http://127.0.0.1:${port}`, '--rest-retries', '0']);
    expect(result.code).toBe(3);
    expect(oneErrorLine(result.stderr)).toMatch(/ECONNREFUSED/);
  });

  it('exits 4 when the ticker map is not JSON, or not a ticker map', async () => {
    for (const body of ['<html>maintenance</html>', '[1,2,3]', '{"BTC_ETH":{"last":"1"}}', '{}', '{"error":"Invalid command."}']) {
      const base = await restServer(200, body);
      const result = await runInProcess(['--api', 'legacy', '--rest-url', base, '--max-reconnects', '0']);
      expect(result.code, body).toBe(4);
      expect(oneErrorLine(result.stderr)).toContain('/public?command=returnTicker');
    }
  });

  it('never shows --ws-url credentials: they appear as ***', async () => {
    const server = await scripted();
    const port = await closedPort();
    const result = await runInProcess(['--api', 'legacy', '--rest-url', server.url, '--ws-url', `ws://user:secret@127.0.0.1:${port}`, '--max-reconnects', '0']);
    expect(result.code).toBe(5);
    expect(oneErrorLine(result.stderr)).toMatch(/connection to ws:\/\/\*\*\*@127\.0\.0\.1:\d+\S* failed: /);
    expect(result.stderr).not.toContain('secret');
  });

  it('exits 5 when the server drops the connection without a close frame', async () => {
    const server = await scripted({ steps: ['[1010]'], end: 'cut' });
    const result = await runInProcess(['--api', 'legacy', '--rest-url', server.url, '--ws-url', server.wsUrl, '--max-reconnects', '0']);
    expect(result.code).toBe(5);
    expect(oneErrorLine(result.stderr)).toMatch(/lost \(code 1006\)/);
  });

  it('exits 2 for an unknown pair in --pairs, listing what the exchange has', async () => {
    const server = await scripted();
    const result = await runInProcess(['--api', 'legacy', '--rest-url', server.url, '--ws-url', server.wsUrl, '--pairs', 'BTC_NOPE']);
    expect(result.code).toBe(2);
    expect(oneErrorLine(result.stderr)).toContain('unknown pair BTC_NOPE');
  });

  it('exits 2 for bad options, saying what is wrong', async () => {
    for (const args of [['--depth', '0'], ['--depth', 'x'], ['--nope'], ['--ws-url', 'http://x'], ['--rest-url', 'ftp://x'], ['--api', 'v9']]) {
      const result = await runInProcess(args);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr, args.join(' ')).toMatch(/^polo-ws: error: /);
      expect(result.stdout).toBe('');
    }
  });

  it('exits 2 with one line when simulate cannot listen: an address this machine lacks, a port in use', async () => {
    // 192.0.2.1 is TEST-NET-1 (RFC 5737): never assigned to a machine.
    const foreign = await runInProcess(['simulate', '--host', '192.0.2.1', '--port', '8080']);
    expect(foreign.code).toBe(2);
    expect(oneErrorLine(foreign.stderr)).toBe('polo-ws: error: cannot listen on 192.0.2.1:8080: this machine has no such address (EADDRNOTAVAIL)');
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    servers.push({ close: () => new Promise((resolve) => taken.close(resolve)) });
    const { port } = taken.address() as AddressInfo;
    const busy = await runInProcess(['simulate', '--port', String(port)]);
    expect(busy.code).toBe(2);
    expect(oneErrorLine(busy.stderr)).toBe(`polo-ws: error: cannot listen on 127.0.0.1:${port}: the port is in use (EADDRINUSE)`);
  });

  it('exits 2 for simulator options that do not go together', async () => {
    const result = await runInProcess(['simulate', '--api', 'legacy', '--fault', 'new-listing:5']);
    expect(result.code).toBe(2);
    expect(oneErrorLine(result.stderr)).toContain('fault new-listing needs api v3');
  });

  it('shows options, examples and exit statuses in --help, exit 0', async () => {
    const result = await runInProcess(['--help']);
    expect(result.code).toBe(0);
    for (const text of ['--rest-url', '--ws-url', '--pairs', '--depth', '--max-reconnects', 'Examples:', 'Exit status:', 'demo', 'simulate']) {
      expect(result.stdout).toContain(text);
    }
  });

  it('exits 3 with one line naming the URL when the ticker map answers HTTP 502 and no retry is left', async () => {
    const base = await restServer(502, 'bad gateway');
    const result = await runInProcess(['--api', 'legacy', '--rest-url', base, '--ws-url', 'ws://127.0.0.1:1', '--rest-retries', '0']);
    expect(result.code).toBe(3);
    expect(oneErrorLine(result.stderr)).toContain(`${base}/public?command=returnTicker: HTTP 502`);
    expect(result.stdout).toBe('');
  });

  it('exits 4 with one line when the market list is unusable', async () => {
    const base = await restServer(200, '<html>maintenance</html>');
    const result = await runInProcess(['--api', 'legacy', '--rest-url', base, '--max-reconnects', '0']);
    expect(result.code).toBe(4);
    expect(oneErrorLine(result.stderr)).toContain('/public?command=returnTicker');
    expect(result.stdout).toBe('');
  });

  it('exits 5 when the websocket cannot be opened and no reconnect is allowed', async () => {
    const server = await scripted();
    const port = await closedPort();
    const result = await runInProcess(['--api', 'legacy', '--rest-url', server.url, '--ws-url', `ws://127.0.0.1:${port}`, '--max-reconnects', '0']);
    expect(result.code).toBe(5);
    expect(oneErrorLine(result.stderr)).toMatch(/connection to ws:\/\/127\.0\.0\.1:\d+ failed: .*ECONNREFUSED.*no reconnect left/);
  });
});

// The built bin/polo-ws.js as a process: an exit status it documents reaches the shell (2 for a usage
// error; every PoloError's status takes that path in main.ts), --version, and signals.
describe.concurrent('the process: exit statuses and signals', () => {
  it('exits 2 for a bad option, saying what is wrong, with a pointer to --help', async () => {
    const result = await runCli(['--depth', '0']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^polo-ws: error: option '--depth <n>' argument '0' is invalid\. expected a whole number from 1 to 100000, got "0"\n\(run polo-ws --help for usage\)\n$/);
    expect(result.stdout).toBe('');
  });

  it('--version prints its own version, whichever npm package runs it', async () => {
    const own = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
    const saved = process.env.npm_package_version;
    // What npm sets when polo-ws runs from another package's script.
    process.env.npm_package_version = '9.9.9-someone-else';
    try {
      const result = await runCli(['--version']);
      expect(result.code).toBe(0);
      expect(result.stdout.trim()).toBe(own);
    } finally {
      if (saved === undefined) delete process.env.npm_package_version;
      else process.env.npm_package_version = saved;
    }
  });

  it('on SIGTERM closes the feed, prints a summary line and exits 143', async () => {
    const server = await scripted({ steps: ['[1010]'], end: 'stay-open' });
    // SIGTERM once it has subscribed (its handlers are in place by then), not after a fixed delay.
    const result = await runCli(['--api', 'legacy', '--rest-url', server.url, '--ws-url', server.wsUrl], {
      onSpawn: (child) => {
        const poll = setInterval(() => {
          if (server.commands.length === 0) return;
          clearInterval(poll);
          child.kill('SIGTERM');
        }, 20);
        child.on('close', () => clearInterval(poll));
      },
    });
    expect(result.code).toBe(143);
    expect(result.stderr).toMatch(/^polo-ws: stopped by SIGTERM: \d+ frames, 0 lines, 0 gaps, 0 resyncs, 0 reconnects, 0 bad frames, 0 resync timeouts$/m);
  });
});
