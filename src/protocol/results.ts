import type { z } from 'zod';
import type { DecodeResult } from './types.js';

/** A frame that is not of the protocol's shape, and why. */
export function badFrame(detail: string): DecodeResult {
  return { ok: false, reason: 'bad-frame', detail };
}

/** The first thing zod found wrong, on one line: "data.0.id: Invalid input: expected number". */
export function zodIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (issue === undefined) return 'invalid';
  return issue.path.length === 0 ? issue.message : `${issue.path.join('.')}: ${issue.message}`;
}
