import type { BookProcessor } from '../book/processor.js';
import type { LinePrinter } from '../output/lines.js';

/** What a running feed (live or replayed) tells a view at each redraw. */
export interface FeedStatus {
  /** "connecting", "connected", "reconnecting", "replaying", "ended" ... */
  readonly connection: string;
  readonly reconnects: number;
  /** Frames received so far (a view shows the rate). */
  readonly frames: number;
  /** When the last frame arrived (epoch ms), or undefined before the first. */
  readonly lastFrameAt: number | undefined;
}

/**
 * A view in place of the line printer (`polo-ws watch`): told of what the processor applied as a
 * printer is, and given the processor and the feed's status to draw from.
 */
export interface FeedView {
  readonly printer: LinePrinter;
  attach(source: { readonly processor: BookProcessor; status(): FeedStatus }): void;
}
