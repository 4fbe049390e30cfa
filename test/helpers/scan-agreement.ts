import fc from 'fast-check';
import { expect, it } from 'vitest';
import { mutatedFrame, type Json } from './hostile-frames.js';
import type { DecodeResult, MarketMap } from '../../src/protocol/types.js';

/**
 * Issue 15: the scanners read the frequent frames without JSON.parse, and must give exactly what
 * the full path gives, or decline. The check, and what the property tests build frames from.
 */

export interface ScanningDecoder {
  setMarkets(markets: MarketMap): void;
  decode(text: string, bytes?: Uint8Array): DecodeResult;
  scan(text: string, bytes?: Uint8Array): DecodeResult | undefined;
  parse(text: string): DecodeResult;
}

/**
 * The text's UTF-8 as a websocket message arrives: a view into a larger buffer, whose bytes after
 * the view would continue many a cut frame plausibly; a scanner that read past the message's end
 * would take them.
 */
function received(text: string): Uint8Array {
  const length = Buffer.byteLength(text);
  return Buffer.from(`${text}1234567890.5","1"]]}]}`, 'utf8').subarray(0, length);
}

/**
 * Whether the scanner took the frame; fails the test if what it gave differs from the full path's
 * result in any way, down to key order (--format json writes a ticker's fields with JSON.stringify),
 * if decode() gives anything but the full path's result, or if the scanner gives anything else, or
 * declines a frame it took, when it reads the frame's bytes as received.
 */
export function agreement(decoder: ScanningDecoder, text: string): 'taken' | 'declined' {
  const full = decoder.parse(text);
  const scanned = decoder.scan(text);
  expect(decoder.decode(text), text).toStrictEqual(full);
  // Reading the bytes as received, not its own encoding of the text: the full path's result again
  // (or a decline; it may also take a frame too long for its own buffer).
  const bytes = received(text);
  const fromBytes = decoder.scan(text, bytes);
  if (fromBytes !== undefined) expect(fromBytes, text).toStrictEqual(full);
  if (scanned !== undefined) expect(fromBytes, text).toStrictEqual(scanned);
  expect(decoder.decode(text, bytes), text).toStrictEqual(full);
  if (scanned === undefined) return 'declined';
  expect(scanned, text).toStrictEqual(full);
  expect(JSON.stringify(scanned), text).toBe(JSON.stringify(full));
  return 'taken';
}

export function ready<D extends ScanningDecoder>(decoder: D, markets: MarketMap): D {
  decoder.setMarkets(markets);
  return decoder;
}

const digit = fc.constantFrom(...'0123456789');

/** `min` to `max` ASCII digits (leading zeros included: text ids and times may have them). */
export const digits = (min: number, max: number): fc.Arbitrary<string> => fc.string({ unit: digit, minLength: min, maxLength: max });

/** A price or size as exchanges write them, now and then at the 40-digit limits of the pattern. */
export const decimalText: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.tuple(digits(1, 9), fc.option(digits(1, 8), { nil: undefined })).map(([w, f]) => (f === undefined ? w : `${w}.${f}`)), weight: 9 },
  { arbitrary: fc.tuple(digits(1, 40), digits(1, 40)).map(([w, f]) => `${w}.${f}`), weight: 1 },
);

export const signedDecimalText: fc.Arbitrary<string> = fc.tuple(fc.boolean(), decimalText).map(([negative, text]) => (negative ? `-${text}` : text));

/** A sequence number, id or time: mostly ordinary, sometimes 0 or 2^53 - 1. */
export const safeCount: fc.Arbitrary<number> = fc.oneof(
  { arbitrary: fc.integer({ min: 0, max: 1e13 }), weight: 8 },
  { arbitrary: fc.constantFrom(0, Number.MAX_SAFE_INTEGER), weight: 1 },
  { arbitrary: fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), weight: 1 },
);

/**
 * Pieces of text that break a frame where they land, or leave it valid but spelled otherwise:
 * whitespace, escapes, quotes and brackets, non-ASCII (a lone surrogate, U+2028, a BOM), numbers
 * past 2^53 or in exponent form, a negative zero, a leading zero, other literals.
 */
const PIECES: readonly string[] = [
  ' ', '\n', '\t', '\r', '\\', '\\"', '\\u0030', '\\n', '"', ',', ':', '[', ']', '{', '}', '[]', '{}',
  '0', '1', '9', '.', '-', '+', 'e', 'E', 'e5', '.0', 'x', '_',
  '\u0000', '\u001f', '\u007f', '\u0085', 'é', '\u2028', '\ud800', '\ufeff', '\uff11',
  'null', 'true', '1e400', '9007199254740993', '99999999999999999999', '-0', '01', '1.5', '"1"',
];

export type TextEdit = { readonly kind: 'insert' | 'replace' | 'delete' | 'truncate'; readonly offset: number; readonly piece: string };

export const textEdit: fc.Arbitrary<TextEdit> = fc.record({
  kind: fc.constantFrom('insert', 'replace', 'delete', 'truncate'),
  offset: fc.nat(),
  piece: fc.constantFrom(...PIECES),
});

/** `text` with one edit, at an offset within it. */
export function edited(text: string, edit: TextEdit): string {
  const at = edit.offset % (text.length + 1);
  switch (edit.kind) {
    case 'insert':
      return text.slice(0, at) + edit.piece + text.slice(at);
    case 'replace':
      return text.slice(0, at) + edit.piece + text.slice(at + 1);
    case 'delete':
      return text.slice(0, at) + text.slice(at + 1);
    case 'truncate':
      return text.slice(0, at);
  }
}

/** What the three agreement properties are run with: fixed seed, base run count, the word for a frame. */
export interface AgreementRuns {
  readonly seed: number;
  readonly runs: number;
  /** "frame" (legacy) or "message" (v3), for the tests' names. */
  readonly noun: string;
  /** What a mutation may add or take away ("one more or fewer", "a key more or fewer"). */
  readonly moreOrFewer: string;
}

/**
 * The three properties both scanners are held to, as `it`s of the calling describe: every
 * well-formed frame `wellFormed` makes is taken with the full path's result; frames with a byte
 * edited, or with one value of another type, are declined or agreed on.
 */
export function agreementProperties(decoder: () => ScanningDecoder, wellFormed: fc.Arbitrary<Json>, { seed, runs, noun, moreOrFewer }: AgreementRuns): void {
  it(`takes every well-formed ${noun} it is made for, giving what the full path gives`, () => {
    const d = decoder();
    fc.assert(
      fc.property(wellFormed, (frame) => {
        expect(agreement(d, JSON.stringify(frame))).toBe('taken');
      }),
      { seed, numRuns: runs },
    );
  });

  it(`declines or agrees on ${noun}s with a byte inserted, replaced, deleted, or cut off`, () => {
    const d = decoder();
    fc.assert(
      fc.property(wellFormed, textEdit, (frame, edit) => {
        agreement(d, edited(JSON.stringify(frame), edit));
      }),
      { seed, numRuns: runs * 4 },
    );
  });

  it(`declines or agrees on ${noun}s with one value of another type, text or size, or ${moreOrFewer}`, () => {
    const d = decoder();
    const mutated = wellFormed.chain((frame) => mutatedFrame(frame));
    fc.assert(
      fc.property(mutated, ({ text }) => {
        agreement(d, text);
      }),
      { seed, numRuns: runs * 4 },
    );
  });
}
