// Bytes per order-book level: 1000 books of 200 levels a side, prices and sizes as fresh strings
// the way JSON.parse makes them. The heap and the typed arrays' backing stores outside it (a side's
// hash table). Run with --expose-gc (bench/run.mjs does).
import { OrderBook } from '../dist/book/book.js';

const fresh = (text) => JSON.parse(`"${text}"`);
const measure = () => {
  globalThis.gc();
  globalThis.gc();
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  return heapUsed + arrayBuffers;
};
const books = [];
const before = measure();
for (let p = 0; p < 1000; p++) {
  const book = new OrderBook();
  for (let i = 0; i < 200; i++) {
    book.set('ask', fresh((100 + p + i * 0.01).toFixed(8)), fresh((1 + i * 1.2345).toFixed(8)));
    book.set('bid', fresh((99 + p - i * 0.01).toFixed(8)), fresh((1 + i * 2.5).toFixed(8)));
  }
  books.push(book);
}
const levels = books.reduce((n, b) => n + b.asks.size + b.bids.size, 0);
console.log(`book memory: ${((measure() - before) / levels).toFixed(0)} bytes per level (${levels.toLocaleString('en-US')} levels, strings and typed arrays included; target <= 200)`);
