import { setTimeout as sleep } from 'timers/promises';
import type { AtPort } from './at-port';

/**
 * How a command goes out. Default: in one write, which every current Edge Impulse AT server handles. Some older
 * firmware drops characters arriving faster than its UART loop reads them; for those, write in chunks as the
 * Edge Impulse CLI does ({@link CLI_CHUNKING}: 5 bytes every 20 ms).
 */
export interface WriteOptions {
  /** Bytes per write; omit to write the whole command at once. */
  chunkSize?: number;
  /** Pause after each chunk but the last. */
  chunkDelayMs?: number;
}

export const CLI_CHUNKING: Required<WriteOptions> = { chunkSize: 5, chunkDelayMs: 20 };

/** Writes `command` terminated by `\r` (the AT server runs a command at `\r`, not `\r\n`). */
export function writeCommand(port: AtPort, command: string, options: WriteOptions = {}): Promise<void> {
  return writeRaw(port, command + '\r', options);
}

export async function writeRaw(port: AtPort, data: string, options: WriteOptions = {}): Promise<void> {
  const size = options.chunkSize && options.chunkSize > 0 ? options.chunkSize : data.length;
  for (let at = 0; at < data.length; at += size) {
    await port.write(data.slice(at, at + size));
    if (at + size < data.length && options.chunkDelayMs) await sleep(options.chunkDelayMs);
  }
}
