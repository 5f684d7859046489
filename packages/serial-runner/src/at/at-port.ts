import type { SerialPort } from 'serialport';

/** What the AT session needs from a port: a real SerialPort through {@link fromSerialPort}, or a test double. */
export interface AtPort {
  write(data: string): Promise<void>;
  on(event: 'data', listener: (chunk: Buffer | string) => void): unknown;
  off(event: 'data', listener: (chunk: Buffer | string) => void): unknown;
}

/** Adapts a SerialPort: a write resolves once the bytes left Node's buffers (drain), and rejects on error. */
export function fromSerialPort(port: SerialPort): AtPort {
  return {
    write: (data) =>
      new Promise<void>((resolve, reject) => {
        port.write(data, (writeError) => {
          if (writeError) return reject(writeError);
          port.drain((drainError) => (drainError ? reject(drainError) : resolve()));
        });
      }),
    on: (event, listener) => port.on(event, listener),
    off: (event, listener) => port.off(event, listener),
  };
}
