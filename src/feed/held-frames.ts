/** What the pipeline takes in order: a frame's text, or the end of the connection it came on. */
export type Input = { readonly text: string; readonly at: number } | { readonly disconnect: true; readonly at: number };

/**
 * Inputs received while a market refresh runs, in order, with the bytes of frame text they hold
 * (the pipeline pauses input past a bound). A queue with a moving head: shift() is O(n).
 */
export class HeldFrames {
  private items: Input[] = [];
  private head = 0;
  private held = 0;

  /** Bytes of frame text held now. */
  get bytes(): number {
    return this.held;
  }

  push(input: Input): void {
    this.items.push(input);
    if ('text' in input) this.held += input.text.length;
  }

  /** The next input, or undefined once empty. */
  next(): Input | undefined {
    if (this.head >= this.items.length) {
      this.items = [];
      this.head = 0;
      return undefined;
    }
    const input = this.items[this.head++] as Input;
    if ('text' in input) this.held -= input.text.length;
    if (this.head >= 4096 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return input;
  }
}
