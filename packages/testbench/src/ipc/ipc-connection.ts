import type { Socket } from 'node:net';
import { encodeFrame, FrameReader, MessageFlags, MessageType, type IpcFrame } from './event-stream-framing';
import { IpcError } from './ipc-error';

/** The server side of one operation's stream, as an operation handler sees it. */
export interface OperationStream {
  /** Sends a streaming event; events produced before the operation's response are held until after it. */
  send(serviceModelType: string, body: object): void;
  /** Keeps the stream open after the response (SubscribeTo*); cleanup runs once the stream closes. */
  keepOpen(cleanup: () => unknown): void;
}

export interface ConnectionHooks {
  authenticate(authToken: unknown): boolean;
  /** Resolves with the response body or rejects, preferably with an IpcError. */
  dispatch(operation: string, request: unknown, stream: OperationStream): Promise<object>;
  onConnected(): void;
}

const JSON_HEADERS = { ':content-type': 'application/json' };

/** One client connection: handshake, pings, and one stream per operation, over event-stream framing. */
export class IpcConnection {
  /** Resolves once the socket is closed, operations in flight have settled and stream cleanups have run. */
  readonly closed: Promise<void>;
  private readonly reader = new FrameReader();
  private readonly streams = new Map<number, ServerStream>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private connected = false;

  constructor(
    private readonly socket: Socket,
    private readonly hooks: ConnectionHooks,
  ) {
    socket.on('data', (chunk) => this.receive(chunk));
    // A reset by the client ends the connection just like a close; 'close' follows either way.
    socket.on('error', () => undefined);
    this.closed = new Promise((resolve) => {
      socket.once('close', () => {
        for (const stream of this.streams.values()) stream.close();
        void this.settle().then(resolve);
      });
    });
  }

  /** Handshake accepted and socket still open. */
  get isConnected(): boolean {
    return this.connected && !this.socket.destroyed;
  }

  /** Handshake accepted at some point, even if the socket has closed since. */
  get wasAccepted(): boolean {
    return this.connected;
  }

  destroy(): Promise<void> {
    this.socket.destroy();
    return this.closed;
  }

  private receive(chunk: Buffer): void {
    let frames: IpcFrame[];
    try {
      frames = this.reader.push(chunk);
    } catch {
      this.socket.destroy();
      return;
    }
    for (const frame of frames) this.handle(frame);
  }

  private handle(frame: IpcFrame): void {
    if (frame.type === MessageType.Ping) {
      // As the Java server does: echo the payload and the application (non-`:`) headers.
      const headers = Object.fromEntries(Object.entries(frame.headers).filter(([name]) => !name.startsWith(':')));
      this.write({ type: MessageType.PingResponse, flags: 0, streamId: 0, headers, payload: frame.payload });
    } else if (!this.connected) {
      this.handshake(frame);
    } else if (frame.type !== MessageType.ApplicationMessage) {
      this.socket.destroy(); // a second Connect or a server-only message type: protocol violation
    } else if (frame.flags & MessageFlags.TerminateStream) {
      this.streams.get(frame.streamId)?.close();
    } else if (frame.headers.operation !== undefined && !this.streams.has(frame.streamId)) {
      this.track(this.startOperation(frame.streamId, frame.headers.operation, frame.payload));
    }
    // Anything else is a client event on an open stream; no served operation takes those.
  }

  private handshake(frame: IpcFrame): void {
    const accepted =
      frame.type === MessageType.Connect &&
      frame.headers[':version'] === '0.1.0' &&
      this.hooks.authenticate(authToken(frame.payload));
    const flags = accepted ? MessageFlags.ConnectionAccepted : MessageFlags.None;
    this.write({ type: MessageType.ConnectAck, flags, streamId: 0, headers: {}, payload: Buffer.alloc(0) });
    if (!accepted) {
      this.socket.end();
      return;
    }
    this.connected = true;
    this.hooks.onConnected();
  }

  private async startOperation(streamId: number, operation: string, payload: Buffer): Promise<void> {
    const stream = new ServerStream(streamId, operation, {
      write: (frame) => this.write(frame),
      closed: (cleanups) => {
        this.streams.delete(streamId);
        this.track(cleanups);
      },
    });
    this.streams.set(streamId, stream);
    try {
      const request: unknown = payload.length === 0 ? {} : JSON.parse(payload.toString('utf8'));
      stream.respond(await this.hooks.dispatch(operation, request, stream));
    } catch (error) {
      stream.fail(error instanceof IpcError ? error : new IpcError('ServiceError', (error as Error).message));
    }
  }

  private track(work: Promise<unknown>): void {
    this.inFlight.add(work);
    const done = () => this.inFlight.delete(work);
    work.then(done, done);
  }

  private async settle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  private write(frame: IpcFrame): void {
    if (this.socket.writable) this.socket.write(encodeFrame(frame));
  }
}

function authToken(payload: Buffer): unknown {
  try {
    const message: unknown = JSON.parse(payload.toString('utf8'));
    return typeof message === 'object' && message !== null && 'authToken' in message ? message.authToken : undefined;
  } catch {
    return undefined;
  }
}

interface StreamHooks {
  write(frame: IpcFrame): void;
  /** Called when the stream closes (and again for a cleanup registered later), with the cleanups' completion. */
  closed(cleanups: Promise<void>): void;
}

class ServerStream implements OperationStream {
  private responded = false;
  private streaming = false;
  private isClosed = false;
  private readonly held: IpcFrame[] = [];
  private readonly cleanups: (() => unknown)[] = [];

  constructor(
    private readonly id: number,
    private readonly operation: string,
    private readonly hooks: StreamHooks,
  ) {}

  send(serviceModelType: string, body: object): void {
    if (this.isClosed) return;
    const frame = this.frame(MessageType.ApplicationMessage, MessageFlags.None, serviceModelType, body);
    if (this.responded) this.hooks.write(frame);
    else this.held.push(frame);
  }

  keepOpen(cleanup: () => unknown): void {
    this.streaming = true;
    // The stream may have ended (client terminate, disconnect) while the handler was still subscribing.
    if (this.isClosed) this.hooks.closed(runCleanups([cleanup]));
    else this.cleanups.push(cleanup);
  }

  respond(body: object): void {
    if (this.isClosed) return;
    const flags = this.streaming ? MessageFlags.None : MessageFlags.TerminateStream;
    this.hooks.write(this.frame(MessageType.ApplicationMessage, flags, `${this.operation}Response`, body));
    this.responded = true;
    for (const frame of this.held.splice(0)) this.hooks.write(frame);
    if (!this.streaming) this.close();
  }

  fail(error: IpcError): void {
    if (this.isClosed) return;
    const type = MessageType.ApplicationError;
    this.hooks.write(this.frame(type, MessageFlags.TerminateStream, error.serviceModelType, error.body()));
    this.close();
  }

  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.held.length = 0;
    this.hooks.closed(runCleanups(this.cleanups.splice(0)));
  }

  private frame(type: number, flags: number, serviceModelType: string, body: object): IpcFrame {
    return {
      type,
      flags,
      streamId: this.id,
      headers: { ...JSON_HEADERS, 'service-model-type': serviceModelType },
      payload: Buffer.from(JSON.stringify(body)),
    };
  }
}

// Cleanup failures are dropped: the stream is gone and there is no one left to tell.
async function runCleanups(cleanups: (() => unknown)[]): Promise<void> {
  await Promise.all(
    cleanups.map((cleanup) =>
      Promise.resolve()
        .then(cleanup)
        .catch(() => undefined),
    ),
  );
}
