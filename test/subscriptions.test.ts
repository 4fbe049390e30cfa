import { describe, expect, it } from 'vitest';
import { MAX_TRIES, SubscriptionTracker } from '../src/feed/subscriptions.js';

const never = (): boolean => false;

describe('SubscriptionTracker', () => {
  it('forgets a ticker or trades subscription once acked, and a book once its snapshot made it live', () => {
    const tracker = new SubscriptionTracker(1000);
    tracker.expect(['A_B', 'C_D'], ['ticker', 'trades', 'book'], 0);
    expect(tracker.awaiting).toBe(true);
    tracker.confirm('ticker', ['A_B', 'C_D']);
    tracker.confirm('trades', ['A_B', 'C_D']);
    // An ack of book_lv2 is not its snapshot.
    tracker.confirm('book', ['A_B']);
    expect(tracker.awaiting).toBe(false);
    const overdue = tracker.overdue(1000, (pair) => pair === 'C_D');
    expect(overdue.map((o) => [o.channel, o.pair, o.action, o.tries])).toEqual([['book', 'A_B', 'retry', 2]]);
  });

  it('sends a subscription again after each timeout, then gives it up after the last try', () => {
    const tracker = new SubscriptionTracker(1000);
    tracker.expect(['A_B'], ['trades'], 0);
    expect(tracker.overdue(999, never)).toEqual([]);
    expect(tracker.overdue(1000, never).map((o) => [o.action, o.tries])).toEqual([['retry', 2]]);
    expect(tracker.overdue(1999, never)).toEqual([]);
    expect(tracker.overdue(2000, never).map((o) => [o.action, o.tries])).toEqual([['retry', 3]]);
    expect(tracker.overdue(3000, never).map((o) => [o.action, o.tries])).toEqual([['give-up', MAX_TRIES]]);
    expect(tracker.overdue(9000, never)).toEqual([]);
    expect(tracker.awaiting).toBe(false);
  });

  it('replaces the connection when a resynced book has no snapshot after three tries', () => {
    const tracker = new SubscriptionTracker(3000);
    tracker.resync('A_B', 0);
    expect(tracker.overdue(3000, never).map((o) => [o.purpose, o.action, o.tries])).toEqual([['resync', 'retry', 2]]);
    expect(tracker.overdue(6000, never).map((o) => o.action)).toEqual(['retry']);
    expect(tracker.overdue(9000, never).map((o) => o.action)).toEqual(['replace']);
  });

  it('names the server error that arrived after the try was sent, not an older one', () => {
    const tracker = new SubscriptionTracker(1000);
    tracker.serverError('Bad request', 0);
    tracker.resync('A_B', 10);
    expect(tracker.overdue(1010, never)[0]?.error).toBeUndefined();
    tracker.serverError('Already subscribed', 1500);
    expect(tracker.overdue(2010, never)[0]?.error).toBe('Already subscribed');
  });

  it('waits for nothing of a delisted pair or of a closed connection', () => {
    const tracker = new SubscriptionTracker(1000);
    tracker.expect(['A_B', 'C_D'], ['ticker', 'book'], 0);
    tracker.forget('A_B');
    expect(tracker.overdue(1000, never).map((o) => o.pair)).toEqual(['C_D', 'C_D']);
    tracker.clear();
    expect(tracker.awaiting).toBe(false);
    expect(tracker.overdue(5000, never)).toEqual([]);
  });
});
