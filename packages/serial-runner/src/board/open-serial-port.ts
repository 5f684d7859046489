import { SerialPort } from 'serialport';
import { SerialError } from '../errors';

/** Opens the port, turning the usual failures into messages that say what to do about them. */
export function openSerialPort(path: string, baudRate: number): Promise<SerialPort> {
  return new Promise((resolve, reject) => {
    const port = new SerialPort({ path, baudRate, autoOpen: false });
    port.open((error) => (error ? reject(describeOpenError(path, error)) : resolve(port)));
  });
}

export function describeOpenError(path: string, error: Error): SerialError {
  const text = error.message;
  const context = { port: path };
  if (/ENOENT|No such file/i.test(text)) {
    return new SerialError(
      'SERIAL_PORT_MISSING',
      `serial port ${path} does not exist: is the board plugged in? (set serial_port, or leave it unset to discover ttyACM*/ttyUSB*)`,
      { context, cause: error },
    );
  }
  if (/EACCES|Permission denied/i.test(text)) {
    return new SerialError(
      'SERIAL_PORT_DENIED',
      `permission denied opening ${path}: the component user must be in the dialout group (ei_ggc_user_groups)`,
      { context, cause: error },
    );
  }
  if (/lock/i.test(text)) {
    return new SerialError(
      'SERIAL_PORT_LOCKED',
      `serial port ${path} is locked by another process (another runner, a serial monitor or the Edge Impulse CLI): stop it first`,
      { context, cause: error },
    );
  }
  return new SerialError('SERIAL_PORT_FAILED', `cannot open serial port ${path}: ${text}`, { context, cause: error });
}
