import { createConnection, type Socket } from 'node:net';
import {
  allowAllPolicy,
  encodeFrame,
  FrameReader,
  InMemoryIotCore,
  IpcEndpoint,
  MessageFlags,
  MessageType,
  type IpcFrame,
} from '../src/ipc';
import { waitUntil } from './ipc-test-harness';

/** A bare event-stream peer, to check what the endpoint puts on the wire. */
class RawPeer {
  private readonly received: IpcFrame[] = [];
  private readonly waiters: (() => void)[] = [];
  readonly closed: Promise<void>;

  private constructor(readonly socket: Socket) {
    const reader = new FrameReader();
    socket.on('data', (chunk) => {
      this.received.push(...reader.push(chunk));
      for (const wake of this.waiters.splice(0)) wake();
    });
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
  }

  static open(path: string): Promise<RawPeer> {
    return new Promise((resolve, reject) => {
      const socket = createConnection(path, () => resolve(new RawPeer(socket)));
      socket.once('error', reject);
    });
  }

  send(...frames: IpcFrame[]): void {
    this.socket.write(Buffer.concat(frames.map(encodeFrame)));
  }

  async next(): Promise<IpcFrame> {
    while (this.received.length === 0) await new Promise<void>((resolve) => this.waiters.push(resolve));
    return this.received.shift() as IpcFrame;
  }

  close(): Promise<void> {
    this.socket.destroy();
    return this.closed;
  }
}

const connect = (authToken: string): IpcFrame => ({
  type: MessageType.Connect,
  flags: 0,
  streamId: 0,
  headers: { ':version': '0.1.0' },
  payload: Buffer.from(JSON.stringify({ authToken })),
});

const requestFrame = (streamId: number, operation: string, body: object): IpcFrame => ({
  type: MessageType.ApplicationMessage,
  flags: 0,
  streamId,
  headers: { operation: `aws.greengrass#${operation}` },
  payload: Buffer.from(JSON.stringify(body)),
});

describe('IpcEndpoint on the wire', () => {
  let iotCore: InMemoryIotCore;
  let endpoint: IpcEndpoint;
  let peer: RawPeer;
  beforeEach(async () => {
    iotCore = new InMemoryIotCore();
    endpoint = await IpcEndpoint.start({
      componentName: 'com.example.Wire',
      svcuid: 'token',
      iotCore,
      policy: allowAllPolicy('com.example.Wire'),
    });
    peer = await RawPeer.open(endpoint.socketPath);
  });
  afterEach(async () => {
    await peer.close();
    await endpoint.close();
  });

  it('accepts a connect split across writes and answers requests sent in one write, per stream', async () => {
    const bytes = encodeFrame(connect('token'));
    for (const part of [bytes.subarray(0, 3), bytes.subarray(3, 20), bytes.subarray(20)]) {
      peer.socket.write(part);
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(await peer.next()).toMatchObject({
      type: MessageType.ConnectAck,
      flags: MessageFlags.ConnectionAccepted,
      streamId: 0,
    });

    peer.send(
      requestFrame(1, 'UpdateState', { state: 'RUNNING' }),
      requestFrame(2, 'GetConfiguration', { keyPath: ['missing'] }),
    );

    expect(await peer.next()).toEqual({
      type: MessageType.ApplicationMessage,
      flags: MessageFlags.TerminateStream,
      streamId: 1,
      headers: { ':content-type': 'application/json', 'service-model-type': 'aws.greengrass#UpdateStateResponse' },
      payload: Buffer.from('{}'),
    });
    const error = await peer.next();
    expect(error).toMatchObject({
      type: MessageType.ApplicationError,
      flags: MessageFlags.TerminateStream,
      streamId: 2,
      headers: { ':content-type': 'application/json', 'service-model-type': 'aws.greengrass#ResourceNotFoundError' },
    });
    expect(JSON.parse(error.payload.toString())).toMatchObject({
      message: 'Key not found',
      _errorCode: 'ResourceNotFoundError',
    });
  });

  it('answers a ping with a ping response echoing payload and application headers', async () => {
    peer.send({
      type: MessageType.Ping,
      flags: 0,
      streamId: 0,
      headers: { ':x': 'dropped', note: 'kept' },
      payload: Buffer.from('hi'),
    });
    expect(await peer.next()).toEqual({
      type: MessageType.PingResponse,
      flags: 0,
      streamId: 0,
      headers: { note: 'kept' },
      payload: Buffer.from('hi'),
    });
  });

  it('refuses a connect without the right token and closes the connection', async () => {
    peer.send({ ...connect('token'), payload: Buffer.from('{}') });
    expect(await peer.next()).toMatchObject({ type: MessageType.ConnectAck, flags: MessageFlags.None });
    await peer.closed;
  });

  it('closes the connection on a corrupt stream', async () => {
    peer.socket.write(Buffer.from([0, 0, 0, 1, 0, 0, 0, 0]));
    await peer.closed;
  });

  it('streams events after the response and ends the subscription when the client terminates the stream', async () => {
    peer.send(connect('token'), requestFrame(1, 'SubscribeToIoTCore', { topicName: 'a/+', qos: '0' }));
    await peer.next();
    expect(await peer.next()).toMatchObject({
      flags: MessageFlags.None,
      streamId: 1,
      headers: { 'service-model-type': 'aws.greengrass#SubscribeToIoTCoreResponse' },
    });
    await iotCore.publish('a/b', Buffer.from('x'), 0);
    const event = await peer.next();
    expect(event.headers['service-model-type']).toBe('aws.greengrass#IoTCoreMessage');
    expect(JSON.parse(event.payload.toString())).toEqual({ message: { topicName: 'a/b', payload: 'eA==' } });

    const terminate = { type: MessageType.ApplicationMessage, flags: MessageFlags.TerminateStream, streamId: 1 };
    peer.send({ ...terminate, headers: {}, payload: Buffer.alloc(0) });
    await waitUntil(() => iotCore.subscribedFilters().length === 0);
  });
});
