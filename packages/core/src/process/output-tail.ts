/**
 * The last lines a process wrote (stdout and stderr interleaved), for saying why it exited. Partial lines
 * are kept per stream until their newline; very long lines are cut.
 */
export class OutputTail {
  private readonly lines: string[] = [];
  private readonly partial = new Map<string, string>();

  constructor(
    private readonly maxLines = 10,
    private readonly maxLineLength = 400,
  ) {}

  /** Adds a chunk from `stream`; returns the lines it completed. */
  push(stream: string, chunk: string): string[] {
    const parts = ((this.partial.get(stream) ?? '') + chunk).split(/\r?\n/);
    this.partial.set(stream, parts.pop() ?? '');
    const complete = parts.map((line) => line.trimEnd()).filter((line) => line !== '');
    for (const line of complete) this.remember(line);
    return complete;
  }

  /** The kept lines, including unfinished ones (a crash rarely ends with a newline). */
  snapshot(): string[] {
    const unfinished = [...this.partial.values()].map((line) => line.trimEnd()).filter((line) => line !== '');
    return [...this.lines, ...unfinished.map((line) => this.cut(line))].slice(-this.maxLines);
  }

  private remember(line: string): void {
    this.lines.push(this.cut(line));
    if (this.lines.length > this.maxLines) this.lines.shift();
  }

  private cut(line: string): string {
    return line.length > this.maxLineLength ? `${line.slice(0, this.maxLineLength)}…` : line;
  }
}
