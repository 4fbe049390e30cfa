import * as z from 'zod';
import { INTEGER_TEXT, SIGNED_DECIMAL_TEXT } from './guards.js';
import { TICKER_CHANNEL } from './legacy-frames.js';
import { count, decimal } from './schemas.js';

/**
 * The zod schemas that define each of the legacy push API's frames and book items. Loaded only
 * when a frame needs them (frame-schemas.ts): the hand-written checks of legacy-frames.ts accept no
 * more, and a value they do not plainly accept comes here for the verdict and its wording.
 */

const side = z.union([z.literal(0), z.literal(1)]);
const integerText = z.union([z.number().int().nonnegative(), z.string().regex(INTEGER_TEXT)]);
// Items may carry trailing fields (the epoch-ms string added in 2021, and whatever comes next).
const trailing = z.unknown();

const snapshotItem = z.tuple(
  [
    z.literal('i'),
    // The sides are checked by sideLevels (legacy-decoder.ts): zod's record silently drops a "__proto__" key.
    z.object({ currencyPair: z.string().optional(), orderBook: z.tuple([z.unknown(), z.unknown()]) }),
  ],
  trailing,
);
const levelItem = z.tuple([z.literal('o'), side, decimal, decimal], trailing);
const tradeItem = z.tuple([z.literal('t'), integerText, side, decimal, decimal, integerText], trailing);
// A pair's book frame: [pair id, seq, items].
const bookFrame = z.tuple([count, count, z.array(z.unknown())]);

// Ticker columns are printed: text must be a plain (signed) decimal, numbers finite.
const tickerValue = z.union([z.string().regex(SIGNED_DECIMAL_TEXT, 'not a plain decimal'), z.number().finite(), z.boolean(), z.null()]);
const tickerFrame = z.tuple([
  z.literal(TICKER_CHANNEL),
  z.unknown(),
  z.tuple([integerText, tickerValue, tickerValue, tickerValue, tickerValue, tickerValue, tickerValue, tickerValue, tickerValue, tickerValue], tickerValue),
]);

/** The legacy schemas: the definition of each frame and book item (`items` by the item's tag). */
export const legacySchemas = { bookFrame, tickerFrame, levelItem, tradeItem, items: { i: snapshotItem, o: levelItem, t: tradeItem } } as const;
