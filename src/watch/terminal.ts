/**
 * The terminal for a full-screen view: the alternate screen with the cursor hidden while it runs,
 * keys read raw (q, Ctrl-C), resizes followed; `restore()` puts back exactly what was there
 * (screen, cursor, input mode), on every way out: quitting, the end of a recording, a signal, a crash.
 */

export interface TerminalOutput {
  write(text: string): boolean;
  readonly columns?: number | undefined;
  readonly rows?: number | undefined;
  on(event: 'resize', listener: () => void): unknown;
  off(event: 'resize', listener: () => void): unknown;
}

export interface TerminalInput {
  readonly isTTY?: boolean | undefined;
  setRawMode?(mode: boolean): unknown;
  on(event: 'data', listener: (data: Buffer | string) => void): unknown;
  off(event: 'data', listener: (data: Buffer | string) => void): unknown;
  resume(): unknown;
  pause(): unknown;
}

/** Enter the alternate screen, hide the cursor, clear it; and back: show the cursor, leave it. */
export const ENTER = '\x1b[?1049h\x1b[?25l\x1b[2J';
export const LEAVE = '\x1b[0m\x1b[?25h\x1b[?1049l';

export type Key = 'quit' | 'interrupt';

export class Terminal {
  private active = false;
  private raw = false;

  constructor(
    private readonly output: TerminalOutput,
    private readonly input: TerminalInput | undefined,
    private readonly hooks: { readonly onResize: () => void; readonly onKey: (key: Key) => void },
  ) {}

  get size(): { cols: number; rows: number } {
    return { cols: Math.max(20, this.output.columns ?? 80), rows: Math.max(8, this.output.rows ?? 24) };
  }

  enter(): void {
    if (this.active) return;
    this.active = true;
    this.output.write(ENTER);
    this.output.on('resize', this.onResize);
    process.on('exit', this.restore);
    if (this.input?.isTTY === true && this.input.setRawMode !== undefined) {
      this.input.setRawMode(true);
      this.raw = true;
    }
    this.input?.on('data', this.onData);
    this.input?.resume();
  }

  /** Draws one frame: a single write. */
  draw(text: string): void {
    if (this.active) this.output.write(text);
  }

  /** Puts the terminal back as it was; safe to call more than once, and from an exit handler. */
  readonly restore = (): void => {
    if (!this.active) return;
    this.active = false;
    this.output.off('resize', this.onResize);
    this.input?.off('data', this.onData);
    if (this.raw) this.input?.setRawMode?.(false);
    this.input?.pause();
    this.output.write(LEAVE);
    process.off('exit', this.restore);
  };

  private readonly onResize = (): void => {
    // The old screen's rows may be longer than the new width: start from a clear screen.
    this.output.write('\x1b[2J');
    this.hooks.onResize();
  };

  private readonly onData = (data: Buffer | string): void => {
    const text = typeof data === 'string' ? data : data.toString('latin1');
    for (const char of text) {
      if (char === 'q' || char === 'Q') this.hooks.onKey('quit');
      else if (char === '\x03') this.hooks.onKey('interrupt');
    }
  };
}
