import { readdirSync, realpathSync } from 'node:fs';

/**
 * Finds the board when `serial_port` is not configured: the first `/dev/ttyACM*` (USB CDC, most Edge
 * Impulse boards), then `/dev/ttyUSB*` (USB-serial bridges), then `/dev/serial/by-id/*`. Never asks.
 */
export function discoverSerialPort(dev = '/dev'): string | undefined {
  const names = safeList(dev);
  const pick = (prefix: string) =>
    names
      .filter((n) => n.startsWith(prefix) && /^\d+$/.test(n.slice(prefix.length)))
      .sort((a, b) => Number(a.slice(prefix.length)) - Number(b.slice(prefix.length)))[0];
  const direct = pick('ttyACM') ?? pick('ttyUSB');
  if (direct) return `${dev}/${direct}`;
  const byId = safeList(`${dev}/serial/by-id`).sort()[0];
  return byId ? realpathSafe(`${dev}/serial/by-id/${byId}`) : undefined;
}

function safeList(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function realpathSafe(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}
