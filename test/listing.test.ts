import { describe, expect, it } from 'vitest';
import { Listing } from '../src/feed/listing.js';
import type { MarketMap } from '../src/protocol/types.js';

const v3 = (states: Record<string, string>): MarketMap => ({
  pairs: Object.keys(states),
  byId: new Map(),
  frozen: new Set(Object.keys(states).filter((pair) => states[pair] !== 'NORMAL')),
  states: new Map(Object.entries(states)),
});

describe('Listing', () => {
  it('streams every listed pair, then reports new listings, delistings and state changes', () => {
    const listing = new Listing(undefined);
    const first = listing.update(v3({ BTC_USDT: 'NORMAL', ETH_USDT: 'NORMAL', DOGE_USDT: 'NORMAL' }));
    expect(first.change).toEqual({ added: [], removed: [], states: [] });
    expect(listing.pairs).toEqual(['BTC_USDT', 'ETH_USDT', 'DOGE_USDT']);
    const next = listing.update(v3({ BTC_USDT: 'NORMAL', DOGE_USDT: 'PAUSE', SOL_USDT: 'NORMAL' }));
    expect(next.change).toEqual({
      added: ['SOL_USDT'],
      removed: ['ETH_USDT'],
      states: [{ pair: 'DOGE_USDT', from: 'NORMAL', to: 'PAUSE', frozen: true }],
    });
    expect(listing.has('ETH_USDT')).toBe(false);
    expect(listing.has('SOL_USDT')).toBe(true);
    // The delisted pair stays known to the decoder, so its late frames are dropped, not refreshed for.
    expect(next.known.pairs).toEqual(['BTC_USDT', 'DOGE_USDT', 'SOL_USDT', 'ETH_USDT']);
    expect(next.known.frozen).toEqual(new Set(['DOGE_USDT']));
  });

  it('subscribes a new listing that --pairs globs match, and no other', () => {
    const listing = new Listing(['sol_*', 'BTC_USDT']);
    listing.update(v3({ BTC_USDT: 'NORMAL', ETH_USDT: 'NORMAL' }));
    expect(listing.pairs).toEqual(['BTC_USDT']);
    const next = listing.update(v3({ BTC_USDT: 'NORMAL', ETH_USDT: 'NORMAL', SOL_USDT: 'NORMAL', ADA_USDT: 'NORMAL' }));
    expect(next.change.added).toEqual(['SOL_USDT']);
    expect(listing.pairs).toEqual(['SOL_USDT', 'BTC_USDT']);
  });

  it('keeps a delisted legacy pair id known until the pair is listed again', () => {
    const legacy = (pairs: Record<string, string>): MarketMap => ({
      pairs: Object.keys(pairs),
      byId: new Map(Object.entries(pairs).map(([pair, id]) => [id, pair])),
      frozen: new Set(),
    });
    const listing = new Listing(undefined);
    listing.update(legacy({ BTC_ETH: '148', USDT_BTC: '121' }));
    expect(listing.update(legacy({ USDT_BTC: '121' })).known.byId.get('148')).toBe('BTC_ETH');
    expect(listing.update(legacy({ USDT_BTC: '121', USDT_ETH: '149' })).known.byId.get('148')).toBe('BTC_ETH');
    const back = listing.update(legacy({ USDT_BTC: '121', USDT_ETH: '149', BTC_ETH: '148' }));
    expect(back.change.added).toEqual(['BTC_ETH']);
    expect(back.known.pairs).toEqual(['USDT_BTC', 'USDT_ETH', 'BTC_ETH']);
  });
});
