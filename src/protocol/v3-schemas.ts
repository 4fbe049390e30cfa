import * as z from 'zod';
import { ID_TEXT, SIGNED_DECIMAL_TEXT, TIME_TOKEN_DIGITS, levelListIssue } from './guards.js';
import { count, decimal } from './schemas.js';

/**
 * The zod schemas that define each of the current API's messages and data items. Loaded only when
 * a message needs them (frame-schemas.ts): the hand-written checks of v3-frames.ts accept no more,
 * and a value they do not plainly accept comes here for the verdict and its wording.
 */

// Printed columns are plain tokens (guards.ts): a number must read as a plain decimal, like the text.
const numberToken = z
  .union([z.string(), z.number().finite()])
  .transform(String)
  .refine((t) => SIGNED_DECIMAL_TEXT.test(t), 'not a plain decimal');
const idToken = z.union([z.string().regex(ID_TEXT, 'not an id of letters, digits, _ or -'), count]).transform(String);
const timeToken = z.union([z.string().regex(new RegExp(`^\\d{1,${TIME_TOKEN_DIGITS}}$`), 'not a time in digits'), count]).transform(String);
// Checked by hand, stopping at the first bad level: zod would report every one of a million.
const levels = z.unknown().superRefine((value, ctx) => {
  const issue = levelListIssue(value);
  if (issue !== undefined) ctx.addIssue({ code: 'custom', message: issue });
}) as unknown as z.ZodType<readonly (readonly [string, string, ...unknown[]])[] | undefined>;
const sequenceId = count;

const bookItem = z.object({
  symbol: z.string().min(1),
  asks: levels,
  bids: levels,
  lastId: sequenceId.optional(),
  id: sequenceId,
});
const tradeItem = z.object({
  symbol: z.string().min(1),
  id: idToken,
  price: decimal,
  quantity: decimal,
  takerSide: z.enum(['buy', 'sell']),
  createTime: timeToken,
});
const tickerItem = z.object({
  symbol: z.string().min(1),
  close: numberToken,
  high: numberToken,
  low: numberToken,
  amount: numberToken,
  quantity: numberToken,
  dailyChange: numberToken,
});
const envelope = z.object({
  channel: z.string(),
  action: z.string().optional(),
  data: z.array(z.unknown()),
});

/** The v3 schemas: the definition of each message and data item. */
export const v3Schemas = { envelope, bookItem, tradeItem, tickerItem } as const;

export type BookData = z.infer<typeof bookItem>;
export type TradeData = z.infer<typeof tradeItem>;
export type TickerData = z.infer<typeof tickerItem>;
export type Envelope = z.infer<typeof envelope>;
