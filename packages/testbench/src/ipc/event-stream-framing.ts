import { EventStreamCodec, type MessageHeaders } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';

/** `:message-type` values of the event-stream RPC protocol (aws-c-event-stream). */
export const MessageType = {
  ApplicationMessage: 0,
  ApplicationError: 1,
  Ping: 2,
  PingResponse: 3,
  Connect: 4,
  ConnectAck: 5,
  ProtocolError: 6,
  InternalError: 7,
} as const;

/** `:message-flags` bits. */
export const MessageFlags = {
  None: 0,
  ConnectionAccepted: 1,
  TerminateStream: 2,
} as const;

/**
 * One event-stream RPC message. The three int32 protocol headers are lifted into fields; `headers`
 * holds the string-valued application headers (`operation`, `service-model-type`, `:content-type`,
 * `:version`), the only other kind Greengrass IPC uses.
 */
export interface IpcFrame {
  type: number;
  flags: number;
  streamId: number;
  headers: Record<string, string>;
  payload: Buffer;
}

export class FramingError extends Error {
  override name = 'FramingError';
}

// Prelude (total length, headers length, prelude CRC) plus the message CRC.
const MIN_FRAME_LENGTH = 16;
// aws-c-event-stream refuses messages above 16 MiB; a larger prefix means a corrupt stream.
const MAX_FRAME_LENGTH = 16 * 1024 * 1024;

const codec = new EventStreamCodec(toUtf8, fromUtf8);

export function encodeFrame(frame: IpcFrame): Buffer {
  const headers: MessageHeaders = {
    ':message-type': { type: 'integer', value: frame.type },
    ':message-flags': { type: 'integer', value: frame.flags },
    ':stream-id': { type: 'integer', value: frame.streamId },
  };
  for (const [name, value] of Object.entries(frame.headers)) headers[name] = { type: 'string', value };
  return Buffer.from(codec.encode({ headers, body: frame.payload }));
}

/** Decodes one complete message (CRCs checked by the codec). */
export function decodeFrame(bytes: Uint8Array): IpcFrame {
  const message = codec.decode(bytes);
  const frame: IpcFrame = {
    type: intHeader(message.headers, ':message-type'),
    flags: intHeader(message.headers, ':message-flags'),
    streamId: intHeader(message.headers, ':stream-id'),
    headers: {},
    payload: Buffer.from(message.body),
  };
  for (const [name, header] of Object.entries(message.headers)) {
    if (header.type === 'string') frame.headers[name] = header.value;
  }
  return frame;
}

function intHeader(headers: MessageHeaders, name: string): number {
  const header = headers[name];
  if (header?.type !== 'integer') throw new FramingError(`event-stream message without int32 header ${name}`);
  return header.value;
}

/**
 * Reassembles messages from a byte stream: a socket read may hold part of a message or several, so
 * bytes are buffered until the 4-byte big-endian total-length prefix says a message is complete.
 */
export class FrameReader {
  private pending: Buffer = Buffer.alloc(0);

  /** Adds bytes and returns every message they complete, in order. Throws FramingError on a corrupt stream. */
  push(chunk: Uint8Array): IpcFrame[] {
    this.pending = this.pending.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.pending, chunk]);
    const frames: IpcFrame[] = [];
    while (this.pending.length >= 4) {
      const length = this.pending.readUInt32BE(0);
      if (length < MIN_FRAME_LENGTH || length > MAX_FRAME_LENGTH) {
        throw new FramingError(`invalid event-stream message length ${length}`);
      }
      if (this.pending.length < length) break;
      frames.push(decodeFrame(this.pending.subarray(0, length)));
      this.pending = this.pending.subarray(length);
    }
    return frames;
  }
}
