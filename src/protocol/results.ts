import type { DecodeResult } from './types.js';

/** A frame that is not of the protocol's shape, and why. */
export function badFrame(detail: string): DecodeResult {
  return { ok: false, reason: 'bad-frame', detail };
}
