import { StringDecoder } from 'string_decoder';

/** Longest line kept; anything longer is dropped so a board spewing bytes without newlines cannot grow memory. */
export const DEFAULT_MAX_LINE_LENGTH = 4096;

export interface LineSink {
  line(text: string): void;
  /** `> ` at the start of a line: the AT server waits for a command (it prints no newline after it). */
  prompt(): void;
  /** A line grew past the limit and was dropped (the rest of it, up to the next line end, is dropped too). */
  overflow(length: number): void;
}

/**
 * Splits a byte or text stream fed in arbitrary chunks into lines. Every one of `\r\n`, `\n`, `\r\r\n` and a
 * lone `\r` ends a line (the empty lines this makes between `\r` and `\n` are not reported), so the result does
 * not depend on where chunks were cut.
 */
export class LineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private pending = '';
  /** True while skipping the remainder of an over-long line. */
  private discarding = false;

  constructor(
    private readonly sink: LineSink,
    private readonly maxLineLength = DEFAULT_MAX_LINE_LENGTH,
  ) {}

  push(chunk: Buffer | Uint8Array | string): void {
    this.pending += typeof chunk === 'string' ? chunk : this.decoder.write(Buffer.from(chunk));
    let start = 0;
    for (;;) {
      start = this.takePrompt(start);
      const end = nextLineEnd(this.pending, start);
      if (end < 0) break;
      this.finishLine(this.pending.slice(start, end));
      start = end + 1;
    }
    this.pending = this.pending.slice(start);
    if (!this.discarding && this.pending.length > this.maxLineLength) {
      this.sink.overflow(this.pending.length);
      this.discarding = true;
    }
    if (this.discarding) this.pending = '';
  }

  /** A quiet gap: whatever is pending is a whole line (the board printed its last line without a newline). */
  flush(): void {
    const rest = this.pending + this.decoder.end();
    this.pending = '';
    this.finishLine(rest);
  }

  /** Forgets pending input (after a reconnect). */
  reset(): void {
    this.pending = '';
    this.discarding = false;
    this.decoder.end();
  }

  private takePrompt(start: number): number {
    let at = start;
    while (!this.discarding && this.pending.startsWith('> ', at)) {
      this.sink.prompt();
      at += 2;
    }
    return at;
  }

  private finishLine(text: string): void {
    if (this.discarding) {
      this.discarding = false;
      return;
    }
    if (text.length > this.maxLineLength) this.sink.overflow(text.length);
    else if (text.length > 0) this.sink.line(text);
  }
}

function nextLineEnd(text: string, from: number): number {
  const n = text.indexOf('\n', from);
  const r = text.indexOf('\r', from);
  if (n < 0) return r;
  if (r < 0) return n;
  return Math.min(n, r);
}
