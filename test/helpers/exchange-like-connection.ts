import { WebSocket } from 'ws';
import type { MarketFeed, MarketMessage } from './exchange-like-feed.js';
import type { LogEntry } from './exchange-like-oracle.js';

/** A /markets entry; `state` NORMAL, PAUSE, POST_ONLY, OFFLINE as on the exchange. */
export interface Market {
  readonly symbol: string;
  readonly state: string;
}

/** A client command other than ping, as received; `at` is ms since the server started. */
export interface ClientCommand {
  readonly at: number;
  readonly conn: number;
  readonly event: string;
  readonly channels: readonly string[];
  readonly symbols: readonly string[];
}

export interface ExchangeOptions {
  /** GET /markets at `elapsedMs` since the server started: markets get listed, delisted and paused. */
  readonly markets: (elapsedMs: number) => readonly Market[];
  readonly seed?: number;
  /** One market message per tick per connection (default 10 ms), for a symbol listed and subscribed. */
  readonly tickMs?: number;
  /** Market data flows this long after a connection opens, then stops: pings still get pongs (a stall). */
  readonly dataForMs?: number;
  /** Close each connection normally this long after it opened, whatever else happens (a test's backstop). */
  readonly closeAfterMs?: number;
  /** Market messages still sent for a delisted symbol when its unsubscribe arrives: they were in flight. */
  readonly inFlight?: number;
  /** Sees each command first; return true when it answered it, false for the default answer. */
  readonly onCommand?: (conn: ExchangeConnection, command: ClientCommand) => boolean;
  /** Called after each market message: a test's chance to inject a gap or close. */
  readonly onData?: (conn: ExchangeConnection, symbol: string) => void;
}

/** What every connection of one server shares: its options, log and books. */
export interface Shared {
  readonly options: ExchangeOptions;
  readonly log: LogEntry[];
  readonly commands: ClientCommand[];
  readonly random: () => number;
  elapsed(): number;
  feed(symbol: string): MarketFeed;
  state(symbol: string): string | undefined;
}

/** How often the feed picks each channel of a subscribed symbol: book changes are the bulk. */
const WEIGHTS: Readonly<Record<string, number>> = { book_lv2: 5, trades: 2, ticker: 1 };

/** One websocket client of the exchange-like server: its subscriptions and its feed. */
export class ExchangeConnection {
  readonly openedAt: number;
  /** When each ping arrived (ms since server start). */
  readonly pings: number[] = [];
  /** channel -> symbols this connection streams. */
  readonly subscriptions = new Map<string, Set<string>>();
  private readonly snapshotted = new Set<string>();
  private readonly sent = new Map<string, number>();
  private readonly dropNext = new Set<string>();
  private readonly forgotten = new Set<string>();
  private readonly timers: NodeJS.Timeout[] = [];
  private closing = false;

  constructor(
    readonly number: number,
    private readonly socket: WebSocket,
    private readonly shared: Shared,
  ) {
    this.openedAt = shared.elapsed();
    shared.log.push({ kind: 'connect', conn: number });
    socket.on('message', (data: Buffer) => this.receive(data.toString('utf8')));
    socket.on('close', () => this.stop());
    this.timers.push(setInterval(() => this.tick(), shared.options.tickMs ?? 10));
    const closeAfter = shared.options.closeAfterMs;
    if (closeAfter !== undefined) this.later(closeAfter, () => this.close(1000, 'done'));
  }

  /** Milliseconds since this connection opened. */
  age(): number {
    return this.shared.elapsed() - this.openedAt;
  }

  /** Market messages sent for `symbol`, or for every symbol. */
  messages(symbol?: string): number {
    if (symbol !== undefined) return this.sent.get(symbol) ?? 0;
    let total = 0;
    for (const n of this.sent.values()) total += n;
    return total;
  }

  /** Runs `fn` after `ms`, unless the connection has ended by then. */
  later(ms: number, fn: () => void): void {
    if (!this.closing) this.timers.push(setTimeout(fn, ms));
  }

  send(message: object): void {
    if (this.socket.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(message));
  }

  error(message: string): void {
    this.send({ event: 'error', message });
  }

  /** The exchange's default answer: one ack per channel (channel a string), then a snapshot per book. */
  subscribe(channel: string, symbols: readonly string[]): void {
    const set = this.subscriptions.get(channel) ?? new Set<string>();
    this.subscriptions.set(channel, set);
    for (const symbol of symbols) set.add(symbol);
    this.send({ event: 'subscribe', channel, symbols });
    if (channel !== 'book_lv2') return;
    for (const symbol of symbols) {
      this.snapshotted.add(symbol);
      this.market(this.shared.feed(symbol).snapshot());
    }
  }

  unsubscribe(channel: string, symbols: readonly string[]): void {
    for (const symbol of symbols) {
      this.subscriptions.get(channel)?.delete(symbol);
      if (channel === 'book_lv2') this.snapshotted.delete(symbol);
    }
    this.send({ event: 'unsubscribe', channel, symbols });
  }

  /** Answers a command as the exchange does. */
  answer(command: ClientCommand): void {
    if (command.channels.length === 0) return this.error('Bad request');
    for (const channel of command.channels) {
      if (command.event === 'subscribe') this.subscribe(channel, command.symbols);
      else if (command.event === 'unsubscribe') this.unsubscribe(channel, command.symbols);
      else this.error('Bad request');
    }
  }

  /** The symbol's next book update is lost on the way: the one after it does not follow (a gap). */
  dropNextUpdate(symbol: string): void {
    this.dropNext.add(symbol);
  }

  close(code = 1000, reason = ''): void {
    if (this.closing) return;
    this.stop();
    this.socket.close(code, reason);
  }

  /** Stops the feed and every timer; the socket is closing or closed. */
  stop(): void {
    this.closing = true;
    for (const timer of this.timers) clearTimeout(timer);
  }

  private receive(text: string): void {
    const command = parseCommand(text, this.number, this.shared.elapsed());
    if (command === undefined) return this.error('Bad request');
    if (command.event === 'ping') {
      this.pings.push(command.at);
      return this.send({ event: 'pong' });
    }
    this.shared.commands.push(command);
    if (command.event === 'unsubscribe') this.sendInFlight(command.symbols);
    if (this.shared.options.onCommand?.(this, command) !== true) this.answer(command);
  }

  /** A delisted market's last messages, already on their way when the client unsubscribed it. */
  private sendInFlight(symbols: readonly string[]): void {
    for (const symbol of symbols) {
      if (this.shared.state(symbol) !== undefined || this.forgotten.has(symbol)) continue;
      this.forgotten.add(symbol);
      this.shared.log.push({ kind: 'forget', conn: this.number, symbol });
      const feed = this.shared.feed(symbol);
      for (let i = 0; i < (this.shared.options.inFlight ?? 0); i++) {
        this.market(i % 3 === 0 && this.snapshotted.has(symbol) ? feed.update() : i % 3 === 1 ? feed.trade() : feed.ticker());
      }
    }
  }

  private tick(): void {
    const { options, random } = this.shared;
    if (this.closing || (options.dataForMs !== undefined && this.age() >= options.dataForMs)) return;
    // A delisted market trades no more; a paused one still shows its book and ticker.
    const choices: [string, string, number][] = [];
    let total = 0;
    for (const [channel, symbols] of this.subscriptions) {
      for (const symbol of symbols) {
        if (this.shared.state(symbol) === undefined || (channel === 'book_lv2' && !this.snapshotted.has(symbol))) continue;
        total += WEIGHTS[channel] ?? 0;
        choices.push([channel, symbol, total]);
      }
    }
    const roll = random() * total;
    const choice = choices.find(([, , upTo]) => roll < upTo);
    if (choice === undefined) return;
    const [channel, symbol] = choice;
    const feed = this.shared.feed(symbol);
    if (channel === 'trades') return this.market(feed.trade());
    if (channel === 'ticker') return this.market(feed.ticker());
    if (this.dropNext.delete(symbol)) feed.update();
    this.market(feed.update());
  }

  private market(message: MarketMessage): void {
    if (this.socket.readyState !== WebSocket.OPEN) return;
    const symbol = message.data[0].symbol;
    const state = this.shared.state(symbol);
    this.shared.log.push({ kind: 'frame', conn: this.number, message, frozen: state !== undefined && state !== 'NORMAL' });
    this.socket.send(JSON.stringify(message));
    this.sent.set(symbol, this.messages(symbol) + 1);
    this.shared.options.onData?.(this, symbol);
  }
}

export function parseCommand(text: string, conn: number, at: number): ClientCommand | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { event, channel, symbols } = value as Record<string, unknown>;
  if (typeof event !== 'string') return undefined;
  // The API takes arrays; a lone string is taken too, so a test reports what was sent rather than a parse failure.
  const list = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : typeof v === 'string' ? [v] : []);
  return { at, conn, event, channels: list(channel), symbols: list(symbols) };
}
