import { describe, expect, it } from 'vitest';
import { legacyTickerUrl, parseLegacyTickerMap } from '../src/markets/legacy.js';
import { selectPairs } from '../src/feed/pairs.js';
import { BadMarketsError, UsageError } from '../src/errors.js';

const url = 'http://127.0.0.1:1/public?command=returnTicker';

describe('legacy ticker map', () => {
  it('appends the legacy path to the REST base, with or without a trailing slash', () => {
    expect(legacyTickerUrl('https://rest.example.test')).toBe('https://rest.example.test/public?command=returnTicker');
    expect(legacyTickerUrl('http://127.0.0.1:8080/')).toBe('http://127.0.0.1:8080/public?command=returnTicker');
  });

  it('maps ids to pairs in the server order, ignoring extra fields', () => {
    const map = parseLegacyTickerMap({ USDT_BTC: { id: 121, last: '9000', postOnly: '0' }, BTC_ETH: { id: 148 } }, url);
    expect(map.pairs).toEqual(['USDT_BTC', 'BTC_ETH']);
    expect(map.byId.get('148')).toBe('BTC_ETH');
  });

  it('refuses a body that is not a ticker map, with a code and the URL', () => {
    for (const body of [null, [], { BTC_ETH: {} }, { BTC_ETH: { id: -1 } }, {}, { error: 'Please do not abuse the API.' }]) {
      let caught: unknown;
      try {
        parseLegacyTickerMap(body, url);
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
