/**
 * A reader of frame text for the scanners (legacy-scan.ts, v3-scan.ts), which decode the frequent
 * frames without JSON.parse. It reads only the plainest spelling of each value: no whitespace, no
 * escapes, strings of printable ASCII, integers without sign, leading zero, point or exponent, at
 * most MAX_SAFE_INTEGER. What it reads is therefore exactly what JSON.parse would give; anything
 * else is a failure, and the scanner hands the frame to the full path (JSON.parse and the schemas),
 * which decides and words the error.
 */

import { readDecimalBytes, type Codes } from './decimal-code.js';

/** Character codes the scanners look for. */
export const COMMA = 0x2c;
export const OPEN_LIST = 0x5b;
export const CLOSE_LIST = 0x5d;
export const OPEN_OBJECT = 0x7b;
export const CLOSE_OBJECT = 0x7d;
export const COLON = 0x3a;

const QUOTE = 0x22;
const ZERO = 0x30;
const NINE = 0x39;
const BACKSLASH = 0x5c;
const MINUS = 0x2d;
const POINT = 0x2e;
/** Digits before and after a decimal's point, at most (DECIMAL_PATTERN in guards.ts). */
const MAX_DIGITS = 40;

/**
 * The frame's characters as bytes, for the reads: a Uint8Array load costs a fraction of a
 * charCodeAt, which dispatches on the string's representation at every call. Reading every
 * character of the 400k-frame legacy recording took 0.12 s by charCodeAt, 0.07 s by encoding and
 * byte loads. One buffer for every scan of a text that comes without its bytes (a replay): a frame
 * is read at a time, synchronously. A Buffer, whose `write` answers with a count where
 * TextEncoder.encodeInto made an object for every frame.
 */
const ownBytes = Buffer.allocUnsafeSlow(64 * 1024);

/**
 * A position in a frame's text, moved forward by each read, which reads the frame's bytes. There
 * is one TextScan (`of`): a scan ends before the next begins.
 */
export class TextScan implements Codes {
  private at = 0;
  private text = '';
  private bytes: Uint8Array = ownBytes;
  /** The codes of the decimal last read by `levelDecimal` (-1: it has none). */
  code = -1;
  canonical = -1;

  /**
   * The scan of `text`, from its start; `received`, if given, is its UTF-8 as it came (a websocket
   * message, checked as UTF-8 by ws): when it is as long as the text, every character is ASCII and
   * those are the bytes to read. Otherwise the text is encoded into a buffer of our own, with a 0
   * after it. Every read stops at the end of the text: past a received buffer's end a load gives
   * undefined, past our own the 0, and no read accepts either. A frame that is not all ASCII (its
   * UTF-8 is longer than the text), or too long for the buffer (a snapshot: the full path's
   * anyway), is not plainly one of the scanners': its first byte is made 0, so nothing reads.
   */
  static of(text: string, received?: Uint8Array): TextScan {
    const scan = SCAN;
    scan.text = text;
    scan.at = 0;
    if (received !== undefined && received.length === text.length) {
      scan.bytes = received;
      return scan;
    }
    scan.bytes = ownBytes;
    // Shorter than the buffer by more than a character's UTF-8, so a longer encoding cannot fill it to the same count.
    const plain = text.length < ownBytes.length - 4 && ownBytes.write(text, 0, 'utf8') === text.length;
    ownBytes[plain ? text.length : 0] = 0;
    return scan;
  }

  /** Where the scan is, for `rewind`. */
  get position(): number {
    return this.at;
  }

  /** Goes back to a `position` of this scan (to read the same text another way). */
  rewind(position: number): void {
    this.at = position;
  }

  /** Whether every character has been read: a frame ends where its value does, without trailing space. */
  get done(): boolean {
    return this.at === this.text.length;
  }

  /** Reads one character if it is `code`. */
  take(code: number): boolean {
    const bytes = this.bytes;
    if (bytes[this.at] !== code) return false;
    this.at++;
    return true;
  }

  /**
   * Reads `literal` (made by `ascii`) if the text continues with it. Bytes made once: a charCodeAt
   * per character of a string literal costs as much as the read in a run's interpreted first frames.
   */
  takeBytes(literal: Uint8Array): boolean {
    const bytes = this.bytes;
    const at = this.at;
    for (let k = 0; k < literal.length; k++) if (bytes[at + k] !== literal[k]) return false;
    this.at = at + literal.length;
    return true;
  }

  /**
   * Reads the key of one of `keys` (each spelled with its quotes and colon, `"symbol":`), trying
   * the one at `hint` first: the exchange sends keys in one order. The key's index, or -1.
   */
  key(keys: readonly Uint8Array[], hint: number): number {
    for (let k = 0; k < keys.length; k++) {
      const i = (hint + k) % keys.length;
      if (this.takeBytes(keys[i] as Uint8Array)) return i;
    }
    return -1;
  }

  /**
   * Reads a string of printable ASCII without escapes, and returns its text (a view of the frame:
   * a book that keeps it makes its own copy, detached in book/decimal.ts); undefined if the next
   * value is not such a string.
   */
  string(): string | undefined {
    const bytes = this.bytes;
    if (bytes[this.at] !== QUOTE) return undefined;
    const start = this.at + 1;
    let i = start;
    for (;;) {
      const c = bytes[i] as number;
      if (c === QUOTE) break;
      // So does the end of the text (our buffer's 0, or undefined past a received one).
      if (!(c >= 0x20 && c <= 0x7e) || c === BACKSLASH) return undefined;
      i++;
    }
    this.at = i + 1;
    return this.text.slice(start, i);
  }

  /**
   * Reads a string as `string` does that is one of `names`, and returns that name (the list's own
   * string, not a new one); undefined if the next value is not such a string.
   */
  knownName(names: KnownNames): string | undefined {
    const bytes = this.bytes;
    if (bytes[this.at] !== QUOTE) return undefined;
    const start = this.at + 1;
    let i = start;
    let hash = names.seed;
    for (;;) {
      const c = bytes[i] as number;
      if (c === QUOTE) break;
      if (!(c >= 0x20 && c <= 0x7e) || c === BACKSLASH) return undefined;
      hash = Math.imul(hash ^ c, FNV_PRIME);
      i++;
    }
    const name = names.find(hash, bytes, start, i);
    if (name !== undefined) this.at = i + 1;
    return name;
  }

  /**
   * Reads a string of 1 to `max` ASCII digits (isIntegerText's and isTimeToken's text), and returns
   * its text (a view); undefined if the next value is not such a string.
   */
  digitText(max: number): string | undefined {
    const start = this.at + 1;
    return this.skipDigitText(max) ? this.text.slice(start, this.at - 1) : undefined;
  }

  /** Reads a string as digitText does, without taking its text (a value only checked); false if there is none. */
  skipDigitText(max: number): boolean {
    const bytes = this.bytes;
    if (bytes[this.at] !== QUOTE) return false;
    const start = this.at + 1;
    const end = digitsEnd(bytes, start);
    if (end === start || end - start > max || bytes[end] !== QUOTE) return false;
    this.at = end + 1;
    return true;
  }

  /**
   * Reads a price or size: a plain decimal string ("0.02100000"), isDecimalText's rules read in the
   * frame's text, so no second pass over a slice. Its text (a view), or undefined.
   */
  decimal(): string | undefined {
    return this.decimalText(false);
  }

  /**
   * Reads a level's price or size as `decimal` does, and its decimal codes into `code` and
   * `canonical` (-1 when it has none), for the book.
   */
  levelDecimal(): string | undefined {
    const bytes = this.bytes;
    if (bytes[this.at] === QUOTE) {
      // Nearly always one pass: a decimal with a code, read and checked at once.
      const start = this.at + 1;
      const end = readDecimalBytes(bytes, start, bytes.length, this);
      if (end >= 0 && bytes[end] === QUOTE) {
        this.at = end + 1;
        return this.text.slice(start, end);
      }
    }
    this.code = -1;
    this.canonical = -1;
    return this.decimalText(false);
  }

  /** Reads a decimal string that may be negative (a ticker's change, "-0.012": isSignedDecimalText). */
  signedDecimal(): string | undefined {
    return this.decimalText(true);
  }

  private decimalText(signed: boolean): string | undefined {
    const bytes = this.bytes;
    if (bytes[this.at] !== QUOTE) return undefined;
    const start = this.at + 1;
    const digits = signed && bytes[start] === MINUS ? start + 1 : start;
    const point = digitsEnd(bytes, digits);
    if (point === digits || point - digits > MAX_DIGITS) return undefined;
    let end = point;
    if (bytes[point] === POINT) {
      end = digitsEnd(bytes, point + 1);
      if (end === point + 1 || end - point - 1 > MAX_DIGITS) return undefined;
    }
    if (bytes[end] !== QUOTE) return undefined;
    this.at = end + 1;
    return this.text.slice(start, end);
  }

  /**
   * Reads a count (see count) and returns its digits as sent, which are String(value) for every
   * count it accepts (no sign, no leading zero, at most MAX_SAFE_INTEGER), without converting the
   * number back to text; undefined if the next value is not one.
   */
  countText(): string | undefined {
    const start = this.at;
    return this.count() < 0 ? undefined : this.text.slice(start, this.at);
  }

  /** Reads a non-negative safe integer (a sequence number, an id, a time); -1 if the next value is not one. */
  count(): number {
    const bytes = this.bytes;
    const start = this.at;
    let i = start;
    let value = 0;
    for (;;) {
      const c = bytes[i] as number;
      if (!(c >= ZERO && c <= NINE)) break;
      value = value * 10 + (c - ZERO);
      i++;
    }
    const digits = i - start;
    // "01" is not JSON; more than 16 digits, or a 16-digit value past 2^53 - 1, is not safe.
    if (digits === 0 || digits > 16 || (digits > 1 && bytes[start] === ZERO) || value > Number.MAX_SAFE_INTEGER) return -1;
    this.at = i;
    return value;
  }
}

/** The index of the first character at or after `from` that is not an ASCII digit. */
function digitsEnd(bytes: Uint8Array, from: number): number {
  let i = from;
  for (;;) {
    const c = bytes[i] as number;
    if (!(c >= ZERO && c <= NINE)) return i;
    i++;
  }
}

const SCAN = new TextScan();

/** ASCII text as the bytes TextScan.takeBytes compares, made once (a module's constants). */
export function ascii(text: string): Uint8Array {
  if (!PRINTABLE.test(text)) throw new Error(`not printable ASCII: ${text}`);
  return asciiBytes(text);
}

/** The bytes of text known to be printable ASCII. */
function asciiBytes(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, 'latin1'));
}

const PRINTABLE = /^[\x20-\x7e]*$/;

const FNV_PRIME = 0x01000193;

/**
 * Names (a market list's symbols) found by the bytes of a frame's string without making a string of
 * them (TextScan.knownName): a frame names its pair with a new string each time, which a Set lookup
 * hashes again and the processor's maps again; the list's own string is hashed once. The hash is
 * seeded per process, so no market list can choose names that share one.
 */
export class KnownNames {
  /** Each name with its bytes, by hash: one, or those that share it. */
  private readonly byHash = new Map<number, KnownName | KnownName[]>();

  /** `seed`: the hash's, random unless given (tests). */
  constructor(
    names: Iterable<string>,
    readonly seed = (Math.random() * 0x100000000) | 0,
  ) {
    for (const name of names) {
      // A name of other characters is never read as one (knownName reads printable ASCII alone).
      if (!PRINTABLE.test(name)) continue;
      const known: KnownName = { name, bytes: asciiBytes(name) };
      const hash = this.hashOf(name);
      const had = this.byHash.get(hash);
      if (had === undefined) this.byHash.set(hash, known);
      else if (!Array.isArray(had)) {
        if (had.name !== name) this.byHash.set(hash, [had, known]);
      } else if (!had.some((entry) => entry.name === name)) had.push(known);
    }
  }

  /** The name whose characters are bytes[start, end), given their hash, or undefined. */
  find(hash: number, bytes: Uint8Array, start: number, end: number): string | undefined {
    const found = this.byHash.get(hash);
    if (found === undefined) return undefined;
    if (!Array.isArray(found)) return sameBytes(found.bytes, bytes, start, end) ? found.name : undefined;
    return found.find((entry) => sameBytes(entry.bytes, bytes, start, end))?.name;
  }

  /** The hash TextScan.knownName computes over a name's bytes. */
  hashOf(name: string): number {
    let hash = this.seed;
    for (let i = 0; i < name.length; i++) hash = Math.imul(hash ^ name.charCodeAt(i), FNV_PRIME);
    return hash;
  }
}

interface KnownName {
  readonly name: string;
  readonly bytes: Uint8Array;
}

function sameBytes(name: Uint8Array, bytes: Uint8Array, start: number, end: number): boolean {
  if (name.length !== end - start) return false;
  for (let i = 0; i < name.length; i++) if (name[i] !== bytes[start + i]) return false;
  return true;
}
