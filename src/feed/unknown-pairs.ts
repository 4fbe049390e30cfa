/**
 * An unknown pair fetches the market list at most this often, by frame time (so a replay makes
 * the same decisions): a flood of made-up symbols cannot keep the feed waiting on REST.
 */
export const UNKNOWN_REFRESH_EVERY_MS = 10_000;
/** Unknown pair ids remembered as refreshed for; past this the memory starts again (time still limits). */
const MAX_REFRESHED_IDS = 10_000;

/**
 * When a frame for a pair id the market map lacks fetches the map again: maybe the pair was listed
 * after start-up. Once per id, and not too often.
 */
export class UnknownPairs {
  private lastRefreshAt = Number.NEGATIVE_INFINITY;
  private readonly refreshedFor = new Set<string>();

  /** Whether a frame for `pairId` received at `at` should wait for a refresh; if so it is counted as one. */
  refreshFor(pairId: string, at: number): boolean {
    const due = !this.refreshedFor.has(pairId) && at - this.lastRefreshAt >= UNKNOWN_REFRESH_EVERY_MS;
    if (!due) return false;
    if (this.refreshedFor.size >= MAX_REFRESHED_IDS) this.refreshedFor.clear();
    this.refreshedFor.add(pairId);
    this.lastRefreshAt = at;
    return true;
  }
}
