import * as z from 'zod';
import { DECIMAL_PATTERN } from './guards.js';

/**
 * The zod forms of the tokens both protocols' schemas are made of (guards.ts has their hand-written
 * forms). The schemas define what a frame may hold; the hot path's checks accept no more.
 */

/** A price or size: a plain non-negative decimal string. */
export const decimal = z.string().regex(DECIMAL_PATTERN, 'not a plain decimal string');

/** A non-negative safe integer: a channel id or a sequence number. */
export const count = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
