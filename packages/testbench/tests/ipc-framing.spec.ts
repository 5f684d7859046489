import { EventStreamCodec } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';
import {
  decodeFrame,
  encodeFrame,
  FrameReader,
  FramingError,
  MessageFlags,
  MessageType,
  type IpcFrame,
} from '../src/ipc';

const request: IpcFrame = {
  type: MessageType.ApplicationMessage,
  flags: MessageFlags.None,
  streamId: 1,
  headers: { operation: 'aws.greengrass#PublishToIoTCore' },
  payload: Buffer.from('{"topicName":"a/b","qos":"1","payload":"aGk="}'),
};
const ping: IpcFrame = { type: MessageType.Ping, flags: 0, streamId: 0, headers: {}, payload: Buffer.alloc(0) };

describe('event-stream framing', () => {
  it('round-trips a frame, with the protocol headers as int32 and the rest as strings', () => {
    const bytes = encodeFrame(request);
    expect(bytes.readUInt32BE(0)).toBe(bytes.length);
    expect(decodeFrame(bytes)).toEqual(request);
  });

  it('reassembles a frame delivered one byte per read', () => {
    const reader = new FrameReader();
    const bytes = encodeFrame(request);
    const frames = [...bytes].flatMap((byte) => reader.push(Buffer.from([byte])));
    expect(frames).toEqual([request]);
  });

  it('returns every complete frame of one read and keeps the partial rest for the next', () => {
    const reader = new FrameReader();
    const third = encodeFrame({ ...request, streamId: 3 });
    const chunk = Buffer.concat([encodeFrame(request), encodeFrame(ping), third.subarray(0, 10)]);

    expect(reader.push(chunk)).toEqual([request, ping]);
    expect(reader.push(third.subarray(10))).toEqual([{ ...request, streamId: 3 }]);
  });

  it('rejects an impossible length prefix and a corrupted message', () => {
    expect(() => new FrameReader().push(Buffer.from([0, 0, 0, 4, 0, 0, 0, 0]))).toThrow(FramingError);
    const corrupted = encodeFrame(request);
    corrupted[corrupted.length - 5] ^= 0xff;
    expect(() => new FrameReader().push(corrupted)).toThrow();
  });

  it('refuses a message without the int32 protocol headers', () => {
    const bare = new EventStreamCodec(toUtf8, fromUtf8).encode({ headers: {}, body: new Uint8Array() });
    expect(() => decodeFrame(bare)).toThrow(FramingError);
  });
});
