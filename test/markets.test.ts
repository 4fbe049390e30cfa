import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { legacyTickerUrl, parseLegacyTickerMap } from '../src/markets/legacy.js';
import { parseV3Markets, v3MarketsUrl } from '../src/markets/v3.js';
import { fetchJson, MAX_BODY_BYTES, redactUrl } from '../src/markets/http.js';
import { selectPairs } from '../src/feed/pairs.js';
import { BadMarketsError, HttpError, UsageError } from '../src/errors.js';

const url = 'http://127.0.0.1:1/public?command=returnTicker';

describe('legacy ticker map', () => {
  it('appends the legacy path to the REST base, with or without a trailing slash', () => {
    expect(legacyTickerUrl('https://rest.example.test')).toBe('https://rest.example.test/public?command=returnTicker');
    expect(legacyTickerUrl('http://127.0.0.1:8080/')).toBe('http://127.0.0.1:8080/public?command=returnTicker');
  });

  it('refuses two pairs on one id: frames carry only the id, so they could not be told apart', async () => {
    await expect(parseLegacyTickerMap({ BTC_ETH: { id: 148 }, BTC_XRP: { id: '148' } }, url)).rejects.toThrow('gives id 148 to both BTC_ETH and BTC_XRP');
  });

  it('maps ids to pairs in the server order, ignoring extra fields', async () => {
    const map = await parseLegacyTickerMap({ USDT_BTC: { id: 121, last: '9000', postOnly: '0' }, BTC_ETH: { id: 148 } }, url);
    expect(map.pairs).toEqual(['USDT_BTC', 'BTC_ETH']);
    expect(map.byId.get('148')).toBe('BTC_ETH');
  });

  it('refuses a body that is not a ticker map, with a code and the URL', async () => {
    for (const body of [null, [], { BTC_ETH: {} }, { BTC_ETH: { id: -1 } }, {}, { error: 'Please do not abuse the API.' }, { BTC_ETH: { id: 148 }, BTC_XRP: { id: '148' } }]) {
      let caught: unknown;
      try {
        await parseLegacyTickerMap(body, url);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(BadMarketsError);
      expect((caught as BadMarketsError).code).toBe('POLO_ERR_BAD_MARKETS');
      expect((caught as BadMarketsError).message).toContain(url);
    }
  });
});

describe('--pairs selection', () => {
  const markets = { pairs: ['BTC_ETH', 'USDT_BTC'], byId: new Map<string, string>(), frozen: new Set<string>() };

  it('selects every pair by default, or the named ones case-insensitively without repeats', () => {
    expect(selectPairs(markets, undefined)).toEqual(['BTC_ETH', 'USDT_BTC']);
    expect(selectPairs(markets, ['usdt_btc', 'USDT_BTC'])).toEqual(['USDT_BTC']);
  });

  it('expands globs in the market order, case-insensitively', () => {
    const more = { ...markets, pairs: ['BTC_ETH', 'USDT_BTC', 'USDT_ETH', 'BTC_XMR'] };
    expect(selectPairs(more, ['usdt_*'])).toEqual(['USDT_BTC', 'USDT_ETH']);
    expect(selectPairs(more, ['*_ETH', 'BTC_X?R'])).toEqual(['BTC_ETH', 'USDT_ETH', 'BTC_XMR']);
    expect(() => selectPairs(more, ['EUR_*'])).toThrow(UsageError);
  });

  it('refuses a pair the exchange does not list', () => {
    expect(() => selectPairs(markets, ['BTC_ETH', 'ETH_NOPE'])).toThrow(UsageError);
  });
});

describe('REST endpoints under --rest-url', () => {
  it("append the path to the base's own path, keep its query, drop its fragment", () => {
    expect(v3MarketsUrl('http://127.0.0.1:8080/prefix/?token=a%20b#top')).toBe('http://127.0.0.1:8080/prefix/markets?token=a%20b');
    expect(legacyTickerUrl('http://127.0.0.1:8080/prefix?token=1#top')).toBe('http://127.0.0.1:8080/prefix/public?token=1&command=returnTicker');
    expect(legacyTickerUrl('https://rest.example.test#x')).toBe('https://rest.example.test/public?command=returnTicker');
  });

  it('redacts the credentials of a URL, and only those', () => {
    expect(redactUrl('ws://user:pa%40ss@host:1/ws?x=@y')).toBe('ws://***@host:1/ws?x=@y');
    expect(redactUrl('https://us@er:p@ss@host/p')).toBe('https://***@host/p');
    expect(redactUrl('http://host/a@b')).toBe('http://host/a@b');
    expect(redactUrl('wss://ws.poloniex.com/ws/public')).toBe('wss://ws.poloniex.com/ws/public');
  });

  it('leave out market names that are not plain names, which would print raw on every line', async () => {
    const forged = 'X\n2026-01-01 00:00:00.000 TRADE BTC_USDT=1';
    expect((await parseV3Markets([{ symbol: 'BTC_USDT' }, { symbol: forged }], 'http://127.0.0.1:1/markets')).pairs).toEqual(['BTC_USDT']);
    const legacy = await parseLegacyTickerMap(JSON.parse(`{"BTC_ETH":{"id":148},${JSON.stringify(forged)}:{"id":149},"__proto__":{"id":150}}`), url);
    expect(legacy.pairs).toEqual(['BTC_ETH']);
    expect([...legacy.byId]).toEqual([['148', 'BTC_ETH']]);
    // Left out, not silently: the stream reports them once.
    expect(legacy.ignored).toEqual([forged, '__proto__']);
  });

  it('refuse a server message that is not text without throwing on it', async () => {
    const refuse = (): Promise<unknown> => parseV3Markets({ message: { toString: 1 } }, 'http://127.0.0.1:1/markets');
    await expect(refuse()).rejects.toThrow(BadMarketsError);
    await expect(refuse()).rejects.toThrow('was refused: {"toString":1}');
  });
});

describe('fetchJson against a hostile server', () => {
  let closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const close of closers) await close();
    closers = [];
  });

  async function serve(listener: RequestListener): Promise<{ url: string; requests: () => number }> {
    let requests = 0;
    const server = createServer((req, res) => {
      requests++;
      listener(req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    closers.push(async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    });
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/markets`, requests: () => requests };
  }

  it('stops reading a 200 body at the size limit: BadMarketsError, no retry', async () => {
    const chunk = Buffer.alloc(1024 * 1024, ' ');
    const server = await serve((_req, res) => {
      res.writeHead(200);
      const pump = (): void => {
        while (!res.destroyed) if (!res.write(chunk)) return void res.once('drain', pump);
      };
      pump();
    });
    const error = await fetchJson(server.url, { what: 'the market list', timeoutMs: 5_000, retries: 3 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BadMarketsError);
    expect((error as BadMarketsError).code).toBe('POLO_ERR_BAD_MARKETS');
    expect((error as BadMarketsError).message).toContain('more than the 8 MiB limit');
    expect(server.requests()).toBe(1);
  });

  it('reads a body of exactly the limit', async () => {
    const body = `[${' '.repeat(MAX_BODY_BYTES - 2)}]`;
    const server = await serve((_req, res) => res.writeHead(200).end(body));
    await expect(fetchJson(server.url, { what: 'the market list', timeoutMs: 5_000, retries: 0 })).resolves.toEqual([]);
  });

  it('reads only the start of an error body, however long, for its excerpt', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(404);
      res.write('x'.repeat(200));
      const timer = setInterval(() => res.write('x'.repeat(64 * 1024)), 1);
      res.on('close', () => clearInterval(timer));
    });
    const error = await fetchJson(server.url, { what: 'the market list', timeoutMs: 5_000, retries: 0 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpError);
    expect((error as HttpError).status).toBe(404);
    expect((error as HttpError).message).toMatch(/HTTP 404: x{120}…$/);
  });

  it('ends a request that gets no answer as soon as the signal aborts, without retrying', async () => {
    const server = await serve(() => undefined);
    const controller = new AbortController();
    const retries: string[] = [];
    const started = Date.now();
    setTimeout(() => controller.abort(), 200);
    const error = await fetchJson(server.url, { what: 'the market list', timeoutMs: 5_000, retries: 3, signal: controller.signal, onRetry: (m) => retries.push(m) }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(HttpError);
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(retries).toEqual([]);
    expect(server.requests()).toBe(1);
  });
});
