import { SchemasNeeded, SchemasUnavailable } from './frame-schemas.js';
import type { DecodeResult, FeedEvent, MarketMap } from './types.js';

/**
 * What every protocol's decoder shares: a frame is JSON text or a bad frame, and a decode ends in a
 * DecodeResult made here. The frequent frames are read straight from their text (scan); every other
 * frame takes the full path (parse), whose own rules start at decodeJson.
 */
export abstract class FrameDecoder {
  /** Gives the decoder the current market map (after start-up or a refresh). */
  abstract setMarkets(markets: MarketMap): void;

  /** Decodes one text frame; `bytes`, if given, its UTF-8 (see ProtocolAdapter.decode). Never throws. */
  decode(text: string, bytes?: Uint8Array): DecodeResult {
    return this.scan(text, bytes) ?? this.parse(text);
  }

  /**
   * The frequent frames decoded without JSON.parse, to the result parse gives them; undefined for
   * any frame the scanner does not plainly recognise, which parse then decides. Never throws.
   */
  abstract scan(text: string, bytes?: Uint8Array): DecodeResult | undefined;

  /**
   * The full path, and the authority: JSON.parse, the hot-path checks, the schemas. 'needs-schemas'
   * when a frame needs the schemas before they are loaded (frame-schemas.ts). Never throws.
   */
  parse(text: string): DecodeResult {
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch {
      return badFrame('not JSON');
    }
    try {
      return this.decodeJson(data, text);
    } catch (error) {
      if (error instanceof SchemasNeeded) return NEEDS_SCHEMAS;
      if (error instanceof SchemasUnavailable) return badFrame(error.message);
      throw error;
    }
  }

  /** Decodes a frame's JSON value; `text` is the frame as sent. Never throws. */
  protected abstract decodeJson(data: unknown, text: string): DecodeResult;
}

const NEEDS_SCHEMAS: DecodeResult = { ok: false, reason: 'needs-schemas' };

/** A frame that is not of the protocol's shape, and why. */
export function badFrame(detail: string): DecodeResult {
  return { ok: false, reason: 'bad-frame', detail };
}

/** A frame that gave these events. */
export function events(...list: FeedEvent[]): DecodeResult {
  return { ok: true, events: list };
}
