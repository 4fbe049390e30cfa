import { Writable } from 'node:stream';
import { ExitStatus, UsageError } from '../errors.js';
import type { Channel } from '../protocol/types.js';
import { Terminal, type TerminalInput, type TerminalOutput } from './terminal.js';
import { WatchView } from './view.js';
import type { FeedView } from '../feed/feed-view.js';

/** The channels a ladder needs: its book and its trades. */
export const WATCH_CHANNELS: ReadonlySet<Channel> = new Set<Channel>(['book', 'trades']);

/** Diagnostics kept while the screen is up, printed after it is restored (a flood keeps the last ones). */
const HELD_DIAGNOSTICS = 50;

export interface WatchIO {
  readonly stdout: TerminalOutput & { readonly isTTY?: boolean | undefined; hasColors?(): boolean };
  readonly stdin: TerminalInput | undefined;
  readonly stderr: (text: string) => void;
  readonly env: NodeJS.ProcessEnv;
  readonly now: () => number;
  readonly signal: AbortSignal;
}

/** What runs the feed for the view: the session or the replay, given a view, a quiet stdout and a signal. */
export type FeedRunner = (view: FeedView, io: { stdout: Writable; stderr: (text: string) => void; signal: AbortSignal }) => Promise<number>;

/** Colour unless NO_COLOR is set (to anything) or the terminal is dumb or says it has none. */
export function wantsColor(env: NodeJS.ProcessEnv, stdout: WatchIO['stdout']): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.TERM === 'dumb') return false;
  return stdout.hasColors?.() ?? true;
}

/**
 * `polo-ws watch PAIR`: the full-screen ladder over a feed. The terminal is restored on every way
 * out (q, Ctrl-C, a signal, the end of a recording, an error, a crash) before anything is printed.
 */
export async function runWatch(pair: string, options: { api: string; levels: number | undefined }, run: FeedRunner, io: WatchIO): Promise<number> {
  if (io.stdout.isTTY !== true) {
    throw new UsageError(`watch draws a full-screen view and needs a terminal, but stdout is not one: to stream ${pair} as lines, run polo-ws --pairs ${pair}`);
  }
  const stop = new AbortController();
  const onSignal = (): void => stop.abort(io.signal.reason);
  io.signal.addEventListener('abort', onSignal);
  const held: string[] = [];
  let terminal: Terminal | undefined;
  const view = new WatchView({
    pair,
    api: options.api,
    levels: options.levels,
    color: wantsColor(io.env, io.stdout),
    now: io.now,
    size: () => terminal?.size ?? { cols: 80, rows: 24 },
    draw: (text) => terminal?.draw(text),
  });
  terminal = new Terminal(io.stdout, io.stdin, {
    onResize: () => view.redraw(),
    onKey: (key) => {
      if (!stop.signal.aborted) stop.abort(key === 'quit' ? ExitStatus.OK : ExitStatus.SIGINT);
    },
  });
  const quiet = new Writable({ write: (_chunk, _encoding, done) => done() });
  try {
    terminal.enter();
    view.start();
    return await run(view, {
      stdout: quiet,
      stderr: (text) => {
        held.push(text);
        if (held.length > HELD_DIAGNOSTICS) held.shift();
      },
      signal: stop.signal,
    });
  } finally {
    view.stop();
    terminal.restore();
    io.signal.removeEventListener('abort', onSignal);
    // Held as the diagnostics wrote them: one escaped line each.
    for (const text of held) io.stderr(text);
  }
}
