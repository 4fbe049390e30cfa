import type { Channel } from '../protocol/types.js';
import { JsonPrinter } from './json.js';
import type { LineBuffer, LinePrinter } from './lines.js';
import { TextPrinter } from './text.js';
import type { TimestampMode } from './timestamp.js';

/** The printer for --format, --timestamp and --channels, adding its lines to `out`. */
export function createPrinter(format: 'text' | 'json', timestamp: TimestampMode, channels: ReadonlySet<Channel>, out: LineBuffer): LinePrinter {
  return format === 'json' ? new JsonPrinter(out, channels) : new TextPrinter(out, channels, timestamp);
}
