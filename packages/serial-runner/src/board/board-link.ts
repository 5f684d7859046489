import type { SerialPort } from 'serialport';
import { fromSerialPort } from '../at/at-port';
import { AtSession } from '../at/at-session';
import { CLI_CHUNKING } from '../at/command-writer';
import type { SerialResultParser } from '../parser';

export interface BoardLinkOptions {
  parser: SerialResultParser;
  /** Commands in CLI-sized chunks (`serial_chunked_writes`). */
  chunkedWrites: boolean;
  /** A result block is complete after this much silence on the port. */
  quietGapMs: number;
  /** The port closed or failed: the board is gone (not called after `release()`). */
  onLost: (reason: string) => void;
}

/**
 * One open connection to the board: the port, the AT session on it, and the quiet-gap timer that completes
 * result blocks (the next block may be seconds away). Released once, when the session leaves it behind.
 */
export class BoardLink {
  readonly session: AtSession;
  private quietTimer: NodeJS.Timeout | undefined;
  private released: Promise<void> | undefined;

  constructor(
    readonly path: string,
    private readonly port: SerialPort,
    options: BoardLinkOptions,
  ) {
    const { parser, quietGapMs, onLost } = options;
    // Before the session's own listener: the gap timer restarts before the chunk reaches the parser.
    port.on('data', () => {
      clearTimeout(this.quietTimer);
      this.quietTimer = setTimeout(() => parser.flush(), quietGapMs);
    });
    port.on('close', () => onLost(`serial port ${path} closed (unplugged?)`));
    port.on('error', (error: Error) => onLost(`serial port ${path} failed: ${error.message}`));
    this.session = new AtSession(fromSerialPort(port), { parser, write: options.chunkedWrites ? CLI_CHUNKING : {} });
  }

  /** Stops listening and closes the port; the same promise on every call, never rejects. */
  release(): Promise<void> {
    this.released ??= this.close();
    return this.released;
  }

  private async close(): Promise<void> {
    clearTimeout(this.quietTimer);
    this.session.dispose();
    const port = this.port;
    port.removeAllListeners('close');
    port.removeAllListeners('error');
    port.on('error', () => undefined); // late errors of a port being discarded
    if (port.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
  }
}
