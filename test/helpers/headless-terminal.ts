import xterm from '@xterm/headless';

/** A headless terminal emulator (xterm.js): what a person would see after `data` was written. */
export class ScreenReader {
  readonly term: InstanceType<typeof xterm.Terminal>;

  constructor(cols: number, rows: number) {
    this.term = new xterm.Terminal({ cols, rows, allowProposedApi: true });
  }

  write(data: string): Promise<void> {
    return new Promise((resolve) => this.term.write(data, resolve));
  }

  resize(cols: number, rows: number): void {
    this.term.resize(cols, rows);
  }

  /** The visible rows as text, trailing spaces cut. */
  lines(): string[] {
    const buffer = this.term.buffer.active;
    const out: string[] = [];
    for (let i = 0; i < this.term.rows; i++) out.push(buffer.getLine(buffer.viewportY + i)?.translateToString(true) ?? '');
    return out;
  }

  /** Which buffer is shown: the alternate screen while a full-screen program runs. */
  get screen(): 'normal' | 'alternate' {
    return this.term.buffer.active.type;
  }

  get cursorHidden(): boolean {
    // xterm keeps DECTCEM in its core service; the public API has no getter: read the mode via the proposed API.
    return (this.term as unknown as { _core: { coreService: { isCursorHidden: boolean } } })._core.coreService.isCursorHidden;
  }
}
