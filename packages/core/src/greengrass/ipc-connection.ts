/**
 * The component's one Greengrass IPC connection, shared by the IPC transport and the runtime operations.
 * A greengrasscoreipc client can connect only once, so a lost connection is replaced by a new client after
 * an exponential back-off with jitter, and the streaming operations (subscriptions) opened here are opened
 * again on each new client. Operations issued while disconnected wait for the next client, within a bound.
 */
import { retryDelay } from '../timing/retry-delay';
import { eventstream_rpc, greengrasscoreipc, io } from 'aws-iot-device-sdk-v2';
import { TransportError, type ErrorContext } from '../errors';
import { installCrtStreamReleaseGuard } from './crt-stream-release-guard';
import { Logger } from '../logging/logger';
import { RepeatedErrorLog } from '../logging/repeated-error-log';
import type { ConnectionState } from '../transport/transport';
import { withTimeout } from '../timing/with-timeout';

export type IpcClient = greengrasscoreipc.Client;

/** How long a failed operation waits for the client to report a lost connection (it does so within milliseconds). */
const LOSS_REPORT_GRACE_MS = 1000;
const RECONNECT = 'Greengrass IPC reconnect';
type Payload = NonNullable<greengrasscoreipc.model.MQTTMessage['payload']>;

export interface IpcConnectionOptions {
  /** The nucleus's socket; defaults to AWS_GG_NUCLEUS_DOMAIN_SOCKET_FILEPATH_FOR_COMPONENT. */
  socketPath?: string;
  /** The component's token; defaults to SVCUID. */
  authToken?: string;
  /** Bound on socket connect plus handshake, per attempt (default 5000 ms). */
  connectTimeoutMs?: number;
  /** Default bound on an operation, waiting for a reconnection included (default 10000 ms). */
  operationTimeoutMs?: number;
  /**
   * First reconnect delay (default 500 ms); it doubles per failed attempt up to reconnectMaxMs (default 5 s: an
   * attempt on a local socket costs next to nothing, and operations wait for the reconnection only so long).
   */
  reconnectBaseMs?: number;
  reconnectMaxMs?: number;
  logger?: Logger;
}

/** What a streaming operation holds on one client. */
export interface Closable {
  close(): Promise<void>;
}

/** A streaming operation kept open across reconnects until closed. */
export interface PersistentStream {
  close(): Promise<void>;
}

type StreamOpener = (client: IpcClient) => Promise<Closable>;

interface StreamEntry {
  description: string;
  open: StreamOpener;
  handle?: Closable;
}

/** One client and its connection; replaced, never reused, once lost. */
interface Session {
  readonly client: IpcClient;
  isLost: boolean;
  readonly lossListeners: Set<() => void>;
}

export class IpcConnection {
  readonly socketPath: string;
  private readonly authToken: string;
  private readonly connectTimeoutMs: number;
  private readonly operationTimeoutMs: number;
  private readonly reconnectBaseMs: number;
  private readonly reconnectMaxMs: number;
  private readonly logger: Logger;
  /** Failed reconnect attempts: the first logged, then one summary a minute however long the nucleus is away. */
  private readonly reconnectFailures: RepeatedErrorLog;

  private currentState: ConnectionState = 'disconnected';
  private readonly stateListeners = new Set<(state: ConnectionState) => void>();
  private readonly streams = new Set<StreamEntry>();
  private session?: Session;
  /** A client being connected, so close() can release it. */
  private opening?: Promise<Session>;
  private firstConnect?: Promise<void>;
  private reconnectTimer?: NodeJS.Timeout;
  /** Set once the first connect succeeded: from then on losses are repaired, not reported. */
  private started = false;
  private closed = false;

  constructor(options: IpcConnectionOptions = {}) {
    this.socketPath = options.socketPath ?? process.env.AWS_GG_NUCLEUS_DOMAIN_SOCKET_FILEPATH_FOR_COMPONENT ?? '';
    this.authToken = options.authToken ?? process.env.SVCUID ?? '';
    this.connectTimeoutMs = options.connectTimeoutMs ?? 5000;
    this.operationTimeoutMs = options.operationTimeoutMs ?? 10_000;
    this.reconnectBaseMs = options.reconnectBaseMs ?? 500;
    this.reconnectMaxMs = options.reconnectMaxMs ?? 5000;
    this.logger = (options.logger ?? new Logger()).child({ component: 'greengrass-ipc' });
    this.reconnectFailures = new RepeatedErrorLog({ logger: this.logger, level: 'warn', settleMs: 0 });
    // Before any client exists: a nucleus restart mid-publish must not crash the process (see the guard).
    installCrtStreamReleaseGuard();
    // The token authenticates this component to the nucleus: keep it out of every log line.
    this.logger.secrets.add(this.authToken);
  }

  get state(): ConnectionState {
    return this.currentState;
  }

  onStateChange(listener: (state: ConnectionState) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  /**
   * Connects a first client; rejects with a TransportError when the nucleus cannot be reached or refuses the
   * token (a component that cannot talk to its nucleus should fail its start). Later losses reconnect by
   * themselves; connecting again then waits for that.
   */
  connect(): Promise<void> {
    if (this.closed) return Promise.reject(this.closedError('connect'));
    if (this.started)
      return this.waitForSession('connect', performance.now() + this.operationTimeoutMs).then(() => undefined);
    this.firstConnect ??= this.connectFirstClient().finally(() => (this.firstConnect = undefined));
    return this.firstConnect;
  }

  /**
   * Runs a request/response operation on the current client, waiting for a reconnection if needed. When the
   * connection is lost before the answer the operation runs again on the next client (every operation used
   * here is idempotent or at-least-once). Rejects with a TransportError on timeout or close; errors from the
   * nucleus (RpcError) pass through for the caller to explain.
   */
  async call<T>(
    operation: string,
    run: (client: IpcClient) => Promise<T>,
    timeoutMs = this.operationTimeoutMs,
  ): Promise<T> {
    // Deadlines on the monotonic clock: the wall clock jumps when NTP corrects it.
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const session = await this.waitForSession(operation, deadline, timeoutMs);
      try {
        return await this.runOn(session, operation, run, deadline - performance.now());
      } catch (error) {
        if (!(await this.lostDuring(session, error, deadline))) throw error;
        if (this.closed) throw this.closedError(operation);
        this.logger.debug('IPC operation interrupted by a lost connection; retrying on the next one', { operation });
      }
    }
  }

  /** Opens a streaming operation now and again on every new client, until the returned stream is closed. */
  async openStream(description: string, open: StreamOpener): Promise<PersistentStream> {
    const entry: StreamEntry = { description, open };
    entry.handle = await this.call(description, open);
    // Registered only once open: a reconnect in the meantime is covered by call() retrying on the new client.
    this.streams.add(entry);
    return {
      close: async () => {
        this.streams.delete(entry);
        const handle = entry.handle;
        entry.handle = undefined;
        if (handle) await this.closeQuietly(handle, description);
      },
    };
  }

  /** Closes the streams and the client and stops reconnecting; the connection cannot be used again. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    this.reconnectFailures.close();
    const session = this.session;
    this.session = undefined;
    this.setState('closed');
    const streams = [...this.streams];
    this.streams.clear();
    await Promise.all(
      streams.flatMap((entry) => (entry.handle ? [this.closeQuietly(entry.handle, entry.description)] : [])),
    );
    if (session) await this.closeQuietly(session.client, 'IPC client');
    const opening = await this.opening?.catch(() => undefined);
    if (opening) await this.closeQuietly(opening.client, 'IPC client');
  }

  private async connectFirstClient(): Promise<void> {
    this.setState('connecting');
    let session: Session;
    try {
      session = await this.openSession();
    } catch (error) {
      if (!this.closed) this.setState('disconnected');
      throw this.connectError(error);
    }
    if (this.closed) {
      await this.closeQuietly(session.client, 'IPC client');
      throw this.closedError('connect');
    }
    this.started = true;
    this.logger.info('connected to the Greengrass nucleus over IPC', { socketPath: this.socketPath });
    await this.adopt(session);
  }

  private openSession(): Promise<Session> {
    if (!this.socketPath) {
      return Promise.reject(
        new TransportError(
          'no Greengrass IPC socket: AWS_GG_NUCLEUS_DOMAIN_SOCKET_FILEPATH_FOR_COMPONENT is not set (not started by a Greengrass nucleus?)',
          { context: { transport: 'ipc' } },
        ),
      );
    }
    const opening = this.connectClient();
    this.opening = opening;
    return opening.finally(() => {
      if (this.opening === opening) this.opening = undefined;
    });
  }

  private async connectClient(): Promise<Session> {
    const client = greengrasscoreipc.createClient(this.clientConfig());
    const session: Session = { client, isLost: false, lossListeners: new Set() };
    client.on('disconnection', (event) => {
      session.isLost = true;
      for (const listener of [...session.lossListeners]) listener();
      this.handleLoss(session, event?.reason);
    });
    try {
      await withTimeout(
        client.connect(),
        this.connectTimeoutMs,
        () => new Error(`no IPC handshake within ${this.connectTimeoutMs} ms`),
      );
    } catch (error) {
      await this.closeQuietly(client, 'IPC client');
      throw error;
    }
    return session;
  }

  /** Explicit rather than createClient()'s environment defaults, so the socket and token are this object's. */
  private clientConfig(): eventstream_rpc.RpcClientConfig {
    const authToken = this.authToken;
    return {
      hostName: this.socketPath,
      port: 0,
      socketOptions: new io.SocketOptions(io.SocketType.STREAM, io.SocketDomain.LOCAL, this.connectTimeoutMs),
      connectTransform: async ({ message }) => ({ ...message, payload: JSON.stringify({ authToken }) }),
    };
  }

  /** Makes a connected client current: re-opens the streams on it, then announces 'connected'. */
  private async adopt(session: Session): Promise<void> {
    this.session = session;
    if (session.isLost) {
      this.handleLoss(session);
      return;
    }
    await Promise.all([...this.streams].map((entry) => this.reopen(entry, session)));
    if (this.session === session) this.setState('connected');
  }

  private async reopen(entry: StreamEntry, session: Session, attempt = 0): Promise<void> {
    const deadline = performance.now() + this.operationTimeoutMs;
    try {
      const handle = await this.runOn(session, entry.description, entry.open, this.operationTimeoutMs);
      if (this.streams.has(entry)) entry.handle = handle;
      else await this.closeQuietly(handle, entry.description);
    } catch (error) {
      // A loss in the meantime is repaired by the next client.
      if (this.session !== session || (await this.lostDuring(session, error, deadline))) return;
      // Anything else (a busy nucleus) is retried on this client: a subscription must not stay closed until the
      // next disconnection, which may be months away. Logged once, then quietly.
      const fields = { stream: entry.description, attempt: attempt + 1, error: describeIpcError(error) };
      const message = 'could not re-open an IPC stream after reconnecting; retrying';
      if (attempt === 0) this.logger.error(message, fields);
      else this.logger.debug(message, fields);
      const retry = () => {
        if (this.session === session && this.streams.has(entry) && !entry.handle)
          void this.reopen(entry, session, attempt + 1);
      };
      setTimeout(retry, retryDelay(attempt, this.reconnectBaseMs, this.reconnectMaxMs)).unref();
    }
  }

  private handleLoss(session: Session, reason?: unknown): void {
    if (this.session !== session) return; // a client already replaced, or closed by close()
    this.session = undefined;
    for (const entry of this.streams) entry.handle = undefined; // closed with their client
    void this.closeQuietly(session.client, 'IPC client');
    this.logger.warn('lost the Greengrass IPC connection; reconnecting', { reason: describeIpcError(reason) });
    this.setState('disconnected');
    this.scheduleReconnect(0);
  }

  private scheduleReconnect(attempt: number): void {
    if (this.closed) return;
    const delayMs = retryDelay(attempt, this.reconnectBaseMs, this.reconnectMaxMs);
    this.reconnectTimer = setTimeout(() => void this.reconnect(attempt), delayMs);
  }

  private async reconnect(attempt: number): Promise<void> {
    this.reconnectTimer = undefined;
    let session: Session;
    try {
      session = await this.openSession();
    } catch (error) {
      if (this.closed) return;
      this.reconnectFailures.failed(RECONNECT, error, { attempt: attempt + 1, reason: describeIpcError(error) });
      this.scheduleReconnect(attempt + 1);
      return;
    }
    if (this.closed) {
      await this.closeQuietly(session.client, 'IPC client');
      return;
    }
    this.reconnectFailures.succeeded(RECONNECT);
    this.logger.info('reconnected to the Greengrass nucleus over IPC', { attempts: attempt + 1 });
    await this.adopt(session);
  }

  /** Resolves with the current session, waiting for a reconnection until the deadline. */
  private waitForSession(
    operation: string,
    deadline: number,
    timeoutMs = deadline - performance.now(),
  ): Promise<Session> {
    if (this.session) return Promise.resolve(this.session);
    if (this.closed) return Promise.reject(this.closedError(operation));
    if (!this.started) {
      return Promise.reject(
        new TransportError(
          `cannot run ${operation}: the Greengrass IPC connection is not connected (call connect() first)`,
          { context: { transport: 'ipc', operation } },
        ),
      );
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => {
          stop();
          reject(
            new TransportError(
              `cannot run ${operation}: the Greengrass IPC connection was not re-established within ${timeoutMs} ms`,
              { context: { transport: 'ipc', operation } },
            ),
          );
        },
        Math.max(0, deadline - performance.now()),
      );
      const removeListener = this.onStateChange(() => {
        if (this.session) {
          stop();
          resolve(this.session);
        } else if (this.closed) {
          stop();
          reject(this.closedError(operation));
        }
      });
      const stop = () => {
        clearTimeout(timer);
        removeListener();
      };
    });
  }

  /**
   * Whether `error` came from losing the session's connection. aws-crt refuses new streams on a closed connection
   * a moment before the client emits 'disconnection', so an error the nucleus did not send waits briefly (within
   * the deadline) for that event rather than failing an operation the next client would run.
   */
  private lostDuring(session: Session, error: unknown, deadline: number): Promise<boolean> {
    if (session.isLost) return Promise.resolve(true);
    const fromNucleus =
      error instanceof eventstream_rpc.RpcError && error.type === eventstream_rpc.RpcErrorType.ServiceError;
    const graceMs = Math.min(LOSS_REPORT_GRACE_MS, deadline - performance.now());
    if (fromNucleus || graceMs <= 0) return Promise.resolve(false);
    return new Promise((resolve) => {
      const onLost = () => {
        clearTimeout(timer);
        resolve(true);
      };
      const timer = setTimeout(() => {
        session.lossListeners.delete(onLost);
        resolve(session.isLost);
      }, graceMs);
      session.lossListeners.add(onLost);
    });
  }

  /** Runs one operation on one client, failing as soon as that client is lost or the time is up. */
  private runOn<T>(
    session: Session,
    operation: string,
    run: (client: IpcClient) => Promise<T>,
    timeoutMs: number,
  ): Promise<T> {
    const context: ErrorContext = { transport: 'ipc', operation };
    return new Promise<T>((resolve, reject) => {
      const onLost = () => {
        finish();
        reject(new TransportError(`the Greengrass IPC connection was lost during ${operation}`, { context }));
      };
      const timer = setTimeout(
        () => {
          finish();
          reject(
            new TransportError(`${operation}: no answer from the Greengrass nucleus within ${timeoutMs} ms`, {
              context,
            }),
          );
        },
        Math.max(0, timeoutMs),
      );
      const finish = () => {
        clearTimeout(timer);
        session.lossListeners.delete(onLost);
      };
      if (session.isLost) return onLost();
      session.lossListeners.add(onLost);
      Promise.resolve()
        .then(() => run(session.client))
        .then(
          (value) => {
            finish();
            resolve(value);
          },
          (error: unknown) => {
            finish();
            reject(error);
          },
        );
    });
  }

  private setState(state: ConnectionState): void {
    if (state === this.currentState) return;
    this.currentState = state;
    for (const listener of [...this.stateListeners]) {
      try {
        listener(state);
      } catch (error) {
        this.logger.error('IPC connection state listener failed', { state, error });
      }
    }
  }

  private async closeQuietly(closable: Closable, what: string): Promise<void> {
    try {
      await closable.close();
    } catch (error) {
      this.logger.debug('closing failed', { what, error: describeIpcError(error) });
    }
  }

  private connectError(error: unknown): TransportError {
    if (error instanceof TransportError) return error;
    const context = { transport: 'ipc', socketPath: this.socketPath };
    const type = error instanceof eventstream_rpc.RpcError ? error.type : undefined;
    if (type === eventstream_rpc.RpcErrorType.HandshakeError) {
      return new TransportError('the Greengrass nucleus refused the IPC handshake: SVCUID not accepted', {
        context,
        cause: error,
      });
    }
    // The nucleus answers a refused token and closes at once, so the client often sees only the close.
    if (type === eventstream_rpc.RpcErrorType.NetworkError) {
      return new TransportError(
        `the Greengrass nucleus closed the IPC connection during the handshake on ${this.socketPath} (usually a SVCUID it does not accept)`,
        { context, cause: error },
      );
    }
    return new TransportError(
      `cannot connect to the Greengrass nucleus IPC socket ${this.socketPath}: ${describeIpcError(error)}`,
      { context, cause: error },
    );
  }

  private closedError(operation: string): TransportError {
    return new TransportError(`cannot run ${operation}: the Greengrass IPC connection is closed`, {
      context: { transport: 'ipc', operation },
    });
  }
}

/** The error code the nucleus gave an operation failure ('UnauthorizedError', 'ResourceNotFoundError', ...). */
export function ipcErrorCode(error: unknown): string | undefined {
  if (!(error instanceof eventstream_rpc.RpcError) || error.type !== eventstream_rpc.RpcErrorType.ServiceError)
    return undefined;
  // The client hands over the error body only; the nucleus names the shape in `_errorCode`.
  const code = (error.serviceError as { _errorCode?: unknown } | undefined)?._errorCode;
  return typeof code === 'string' ? code : undefined;
}

/** An IPC failure as a TransportError saying what was attempted and what the nucleus or the client said. */
export function ipcFailure(what: string, error: unknown, context: ErrorContext): TransportError {
  return new TransportError(`${what}: ${describeIpcError(error)}`, {
    context: { transport: 'ipc', ...context },
    cause: error,
  });
}

/** RpcError keeps the useful part (the nucleus's message, the native error) outside `message`. */
export function describeIpcError(error: unknown): string {
  if (error instanceof eventstream_rpc.RpcError) {
    // The Java nucleus sends `message` and `_message`; Nucleus Lite only `_message`.
    const body = error.serviceError as { message?: unknown; _message?: unknown } | undefined;
    const serviceMessage = [body?.message, body?._message].find((part) => typeof part === 'string' && part !== '');
    const details = [serviceMessage as string | undefined, error.internalError?.message];
    return [error.message, ...details.filter((detail) => detail)].join(': ');
  }
  return error instanceof Error ? error.message : String(error);
}

/** A payload as the SDK hands it over (it decodes base64 into a Buffer; the type allows more). */
export function payloadBuffer(payload: Payload | undefined): Buffer {
  if (payload === undefined) return Buffer.alloc(0);
  if (typeof payload === 'string') return Buffer.from(payload);
  if (payload instanceof ArrayBuffer) return Buffer.from(payload);
  return Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
}
