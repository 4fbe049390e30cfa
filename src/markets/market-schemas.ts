import * as z from 'zod';

/**
 * The zod schemas of the REST market lists, loaded only when a list is not plainly of its shape
 * (markets/v3.ts and markets/legacy.ts check the usual body by hand): they word what is wrong.
 */

/** The v3 `GET /markets` body. */
export const v3MarketsSchema = z.array(z.object({ symbol: z.string().min(1), state: z.string().optional() }));

/** One pair's entry of the legacy ticker map: polo-ws needs its numeric id (frames carry it). */
export const tickerEntrySchema = z.object({ id: z.union([z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER), z.string().regex(/^\d{1,30}$/)]) });
