import { createReadStream } from 'node:fs';
import { once } from 'node:events';
import { addAbortSignal } from 'node:stream';
import { FileError } from '../errors.js';
import { MAX_FRAME_BYTES } from './connection.js';
import { describe } from '../printable.js';

/** One line of a recording file. */
export interface FileLine {
  readonly text: string;
  /** 1-based. */
  readonly number: number;
  /** The file ended in this line, without a newline: what a crash or a full disk leaves. */
  readonly unterminated: boolean;
}

/**
 * The longest line read, 100 MiB: any record polo-ws writes fits (a frame of MAX_FRAME_BYTES whose
 * every byte JSON escapes as \u00XX is 6 times as long, plus the record's fields), and a file
 * without newlines (/dev/zero) fails here instead of growing one string until memory runs out.
 */
export const MAX_LINE_BYTES = 6 * MAX_FRAME_BYTES + 4 * 1024 * 1024;

const NEWLINE = 0x0a;

/**
 * Reads `path` line by line, each at most MAX_LINE_BYTES. Throws FileError when the file cannot be
 * read or a line is too long; ends quietly when `signal` aborts.
 */
export async function* readLines(path: string, signal: AbortSignal): AsyncGenerator<FileLine> {
  const input = createReadStream(path, { highWaterMark: 256 * 1024 });
  try {
    await once(input, 'open');
  } catch (error) {
    throw new FileError(`cannot read the recording ${path}: ${describe(error)}`, { cause: error });
  }
  addAbortSignal(signal, input);
  // The current line's bytes so far: split on the newline byte, which UTF-8 never uses inside a character.
  let pieces: Buffer[] = [];
  let held = 0;
  let number = 0;
  const tooLong = (): FileError => new FileError(`${path}:${number + 1}: a line longer than ${MAX_LINE_BYTES / 1024 / 1024} MiB; is it a polo-ws --record file?`);
  try {
    for await (const chunk of input as AsyncIterable<Buffer>) {
      let start = 0;
      for (let end = chunk.indexOf(NEWLINE); end !== -1; end = chunk.indexOf(NEWLINE, start)) {
        if (held + end - start > MAX_LINE_BYTES) throw tooLong();
        const text = held === 0 ? chunk.toString('utf8', start, end) : Buffer.concat([...pieces, chunk.subarray(start, end)]).toString('utf8');
        pieces = [];
        held = 0;
        start = end + 1;
        yield { text, number: ++number, unterminated: false };
      }
      if (start === chunk.length) continue;
      held += chunk.length - start;
      if (held > MAX_LINE_BYTES) throw tooLong();
      pieces.push(chunk.subarray(start));
    }
  } catch (error) {
    if (signal.aborted) return;
    if (error instanceof FileError) throw error;
    throw new FileError(`cannot read the recording ${path}: ${describe(error)}`, { cause: error });
  } finally {
    input.destroy();
  }
  if (held > 0) yield { text: Buffer.concat(pieces).toString('utf8'), number: number + 1, unterminated: true };
}
