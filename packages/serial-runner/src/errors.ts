import { EiGgError } from '@ei-gg/core';

export type SerialErrorCode =
  /** No `> ` prompt in time: not Edge Impulse firmware, wrong baud rate, or the board hangs. */
  | 'SERIAL_NO_PROMPT'
  /** A command got no complete answer in time. */
  | 'SERIAL_TIMEOUT'
  /** `AT+CONFIG?` answered without an AT version. */
  | 'SERIAL_BAD_CONFIG'
  /** The firmware speaks an AT command set version this product does not understand. */
  | 'SERIAL_AT_VERSION'
  /** The board printed a boot banner while a command was waiting for its answer. */
  | 'SERIAL_REBOOTED'
  /** Writing to the port failed. */
  | 'SERIAL_WRITE'
  /** Opening the port: it does not exist, the user may not open it, another process holds it, or else. */
  | 'SERIAL_PORT_MISSING'
  | 'SERIAL_PORT_DENIED'
  | 'SERIAL_PORT_LOCKED'
  | 'SERIAL_PORT_FAILED';

/** A problem talking to the board; `context` names the command and port, never data from the cloud. */
export class SerialError extends EiGgError<SerialErrorCode> {}
