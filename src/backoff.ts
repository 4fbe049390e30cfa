/** The first reconnect waits at most this long: a blip should cost well under a second. */
export const BACKOFF_BASE_MS = 500;
/** No reconnect waits longer than this. */
export const BACKOFF_CAP_MS = 30_000;

/**
 * Capped exponential backoff with "equal jitter": attempt 0 waits 250-500 ms, each later attempt up
 * to twice as long, never over the cap. The jitter keeps many clients from reconnecting in step.
 */
export function backoffDelay(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** Math.min(attempt, 30));
  return ceiling / 2 + (random() * ceiling) / 2;
}
