/**
 * A local Greengrass IPC endpoint: a Unix-socket server speaking the nucleus's event-stream RPC
 * protocol, so that the unmodified `greengrasscoreipc` client of aws-iot-device-sdk-v2, in this process
 * or in a child process, talks to it as to the nucleus, on behalf of one component.
 *
 *   const endpoint = await IpcEndpoint.start({
 *     componentName: 'com.example.Component',
 *     configuration: { thingName: 'dev-1', intervalMs: 1000 },   // the component's configuration tree
 *     secrets: { EI_API_KEY: 'ei_123' },                        // by name or ARN
 *     policy: recipe.ComponentConfiguration.DefaultConfiguration.accessControl,  // omit to allow all
 *     thingName: 'dev-1',                                       // for {iot:thingName} in the policy
 *   });
 *   Object.assign(process.env, endpoint.env);  // or spawn(cmd, { env: { ...process.env, ...endpoint.env } })
 *   const client = greengrasscoreipc.createClient();  // reads the environment when created
 *   await client.connect();
 *   ...
 *   await endpoint.waitForState('RUNNING');
 *   const status = await endpoint.waitForPublish('dev-1/status');       // also endpoint.published
 *   await endpoint.waitForOperation('aws.greengrass#SubscribeToIoTCore');
 *   await endpoint.iotCore.publish('dev-1/commands', Buffer.from('{}'), 1);  // to SubscribeToIoTCore
 *   endpoint.publishToTopic('local/in', { id: 'x' });                // to SubscribeToTopic, as another component
 *   const unsubscribe = endpoint.subscribeToTopic('local/out', (topic, message) => ...);  // gets PublishToTopic
 *   endpoint.updateConfiguration({ ...endpoint.configuration, intervalMs: 500 });  // update events
 *   endpoint.shadows.setDesired('dev-1', 'config', { intervalMs: 500 });  // the cloud: publishes update/delta
 *   endpoint.shadows.get('dev-1', 'config');   // { state: { desired, reported, delta }, metadata, version, ... }
 *   await endpoint.dropConnections();  // the client emits 'disconnection'; a new client may connect
 *   await client.close();
 *   await endpoint.close();
 *
 * Served: PublishToIoTCore, SubscribeToIoTCore, GetConfiguration, SubscribeToConfigurationUpdate,
 * UpdateState, GetSecretValue, PublishToTopic, SubscribeToTopic, and aws.greengrass.ShadowManager's
 * GetThingShadow, UpdateThingShadow, DeleteThingShadow (shadow-store.ts); anything else fails with ServiceError.
 * As with the nucleus: Connect must carry the endpoint's SVCUID; GetConfiguration of a leaf returns
 * `{ <key>: value }`; requests outside `policy` fail with UnauthorizedError. The client rejects a failed
 * operation with an RpcError of type ServiceError whose `serviceError` is the error body; only its
 * `_errorCode` ('UnauthorizedError', 'ResourceNotFoundError', ...) tells the kinds apart. An error shape
 * the operation's model does not list (e.g. InvalidArgumentsError for PublishToIoTCore) surfaces as an
 * InternalError "Unexpected response shape" instead.
 */
import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { AccessPolicy, type AccessControl } from './access-policy';
import { ConfigurationStore, type ConfigTree } from './configuration-store';
import { IpcConnection } from './ipc-connection';
import { runOperation, type ComponentServices, type PublishedMessage } from './ipc-operations';
import { InMemoryIotCore, type IotCoreBridge } from './iot-core-bridge';
import { LocalPubSub, type LocalMessage } from './local-pub-sub';
import { SecretStore, type SecretsOption } from './secret-store';
import { ShadowStore } from './shadow-store';

export interface IpcEndpointOptions {
  /** The component the connecting client acts as (the policy principal). */
  componentName: string;
  /** Defaults to a socket in a fresh directory under os.tmpdir(), removed on close. */
  socketPath?: string;
  /** Defaults to a random token. */
  svcuid?: string;
  /** The component's configuration tree, as GetConfiguration returns it for an empty keyPath. */
  configuration?: ConfigTree;
  secrets?: SecretsOption;
  /** The recipe's accessControl; when undefined every request is allowed. */
  policy?: AccessControl;
  /** Substituted for `{iot:thingName}` in policy resources. */
  thingName?: string;
  /** Defaults to a new InMemoryIotCore. */
  iotCore?: IotCoreBridge;
}

/** The environment the nucleus gives a component process, pointing at this endpoint. */
export interface IpcEnvironment {
  AWS_GG_NUCLEUS_DOMAIN_SOCKET_FILEPATH_FOR_COMPONENT: string;
  SVCUID: string;
  /** The core device's thing name, as the nucleus sets it for every component (when `thingName` is given). */
  AWS_IOT_THING_NAME?: string;
}

/** A successfully handled request, recorded after its handler succeeded. */
export interface CompletedOperation {
  operation: string;
  request: Record<string, unknown>;
}

export interface IpcEndpointEvents {
  connect: [];
  disconnect: [];
  state: [state: string];
  publish: [message: PublishedMessage];
  operation: [completed: CompletedOperation];
}

const DEFAULT_WAIT_MS = 5000;

export class IpcEndpoint extends EventEmitter<IpcEndpointEvents> {
  readonly componentName: string;
  private readonly thingName: string | undefined;
  readonly socketPath: string;
  readonly svcuid: string;
  readonly iotCore: IotCoreBridge;
  /** UpdateState calls, in order, e.g. ['RUNNING']. */
  readonly states: string[] = [];
  /** PublishToIoTCore calls that reached the bridge, in order. */
  readonly published: PublishedMessage[] = [];
  /** Every successfully handled request, in order. */
  readonly operations: CompletedOperation[] = [];
  /** The local shadows (ShadowManager); they publish on this endpoint's local pub/sub. */
  readonly shadows: ShadowStore;

  private readonly server: Server;
  private readonly connections = new Set<IpcConnection>();
  private readonly configurationStore: ConfigurationStore;
  private readonly pubSub = new LocalPubSub();
  private readonly services: ComponentServices;

  private constructor(
    options: IpcEndpointOptions,
    socketPath: string,
    private readonly ownedDirectory?: string,
  ) {
    super();
    this.componentName = options.componentName;
    this.thingName = options.thingName;
    this.socketPath = socketPath;
    this.svcuid = options.svcuid ?? randomBytes(16).toString('hex');
    this.iotCore = options.iotCore ?? new InMemoryIotCore();
    this.configurationStore = new ConfigurationStore(structuredClone(options.configuration ?? {}));
    this.shadows = new ShadowStore(this.pubSub);
    this.services = {
      componentName: this.componentName,
      policy: new AccessPolicy(options.policy, this.componentName, { thingName: options.thingName }),
      configuration: this.configurationStore,
      secrets: new SecretStore(options.secrets),
      iotCore: this.iotCore,
      pubSub: this.pubSub,
      shadows: this.shadows,
      published: (message) => {
        this.published.push(message);
        this.emit('publish', message);
      },
      stateReported: (state) => {
        this.states.push(state);
        this.emit('state', state);
      },
    };
    this.server = createServer((socket) => this.accept(socket));
  }

  /** Listens on the socket; resolves once clients can connect. */
  static async start(options: IpcEndpointOptions): Promise<IpcEndpoint> {
    const ownedDirectory = options.socketPath === undefined ? mkdtempSync(join(tmpdir(), 'ei-gg-ipc-')) : undefined;
    const socketPath = options.socketPath ?? join(ownedDirectory as string, 'ipc.socket');
    const endpoint = new IpcEndpoint(options, socketPath, ownedDirectory);
    try {
      await new Promise<void>((resolve, reject) => {
        endpoint.server.once('error', reject);
        endpoint.server.listen(socketPath, () => {
          endpoint.server.off('error', reject);
          resolve();
        });
      });
    } catch (error) {
      endpoint.removeOwnedDirectory();
      throw error;
    }
    return endpoint;
  }

  get env(): IpcEnvironment {
    return {
      AWS_GG_NUCLEUS_DOMAIN_SOCKET_FILEPATH_FOR_COMPONENT: this.socketPath,
      SVCUID: this.svcuid,
      ...(this.thingName !== undefined ? { AWS_IOT_THING_NAME: this.thingName } : {}),
    };
  }

  /** Clients that completed the handshake and are still connected. */
  get connectionCount(): number {
    return [...this.connections].filter((connection) => connection.isConnected).length;
  }

  get configuration(): ConfigTree {
    return this.configurationStore.tree;
  }

  /**
   * Replaces the configuration like a deployment does and sends a ConfigurationUpdateEvents to each
   * subscriber per changed key path at or below its subscribed path. Returns the changed key paths.
   */
  updateConfiguration(configuration: ConfigTree): string[][] {
    return this.configurationStore.replace(configuration);
  }

  /** Publishes on local pub/sub as another component would (SubscribeToTopic receives it). */
  publishToTopic(topic: string, message: Record<string, unknown> | Buffer, sourceComponent = 'testbench'): void {
    this.pubSub.publish(topic, sourceComponent, Buffer.isBuffer(message) ? { binary: message } : { json: message });
  }

  /**
   * Subscribes on local pub/sub as another component would (receives the component's PublishToTopic, with the
   * nucleus's default receive mode). Returns the unsubscribe.
   */
  subscribeToTopic(
    topic: string,
    handler: (topic: string, message: LocalMessage) => void,
    component = 'testbench',
  ): () => void {
    return this.pubSub.subscribe(topic, component, undefined, handler);
  }

  waitForState(state: string, timeoutMs = DEFAULT_WAIT_MS): Promise<string> {
    return this.waitFor('state', () => this.states.find((reported) => reported === state), `state ${state}`, timeoutMs);
  }

  /** Resolves with the first publish, already recorded or to come, that matches a topic or predicate. */
  waitForPublish(
    match: string | ((message: PublishedMessage) => boolean),
    timeoutMs = DEFAULT_WAIT_MS,
  ): Promise<PublishedMessage> {
    const predicate = typeof match === 'string' ? (message: PublishedMessage) => message.topic === match : match;
    const description = typeof match === 'string' ? `a publish to ${match}` : 'a matching publish';
    return this.waitFor('publish', () => this.published.find(predicate), description, timeoutMs);
  }

  /** Resolves with the first completed request of an operation, e.g. 'aws.greengrass#SubscribeToIoTCore'. */
  waitForOperation(
    operation: string,
    predicate: (request: Record<string, unknown>) => boolean = () => true,
    timeoutMs = DEFAULT_WAIT_MS,
  ): Promise<CompletedOperation> {
    const matches = (completed: CompletedOperation) =>
      completed.operation === operation && predicate(completed.request);
    return this.waitFor('operation', () => this.operations.find(matches), operation, timeoutMs);
  }

  /** Resolves once at least `count` clients are connected. */
  async waitForConnections(count = 1, timeoutMs = DEFAULT_WAIT_MS): Promise<void> {
    const enough = () => (this.connectionCount >= count ? true : undefined);
    await this.waitFor('connect', enough, `${count} connection(s)`, timeoutMs);
  }

  /** Closes every client connection (the clients see a disconnection) and waits until they are gone. */
  async dropConnections(): Promise<void> {
    await Promise.all([...this.connections].map((connection) => connection.destroy()));
  }

  /** Stops listening, drops every connection and removes the socket; leaves no handles behind. */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    await this.dropConnections();
    await closed;
    this.removeOwnedDirectory();
  }

  private accept(socket: Socket): void {
    const connection = new IpcConnection(socket, {
      authenticate: (token) => token === this.svcuid,
      dispatch: async (operation, request, stream) => {
        const response = await runOperation(this.services, operation, request, stream);
        const completed = { operation, request: request as Record<string, unknown> };
        this.operations.push(completed);
        this.emit('operation', completed);
        return response;
      },
      onConnected: () => this.emit('connect'),
    });
    this.connections.add(connection);
    void connection.closed.then(() => {
      this.connections.delete(connection);
      if (connection.wasAccepted) this.emit('disconnect');
    });
  }

  /** Resolves with check()'s first defined result, checking now and after each `event`. */
  private waitFor<T>(
    event: keyof IpcEndpointEvents,
    check: () => T | undefined,
    description: string,
    timeoutMs: number,
  ): Promise<T> {
    const found = check();
    if (found !== undefined) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const onEvent = () => {
        const item = check();
        if (item === undefined) return;
        stop();
        resolve(item);
      };
      const timer = setTimeout(() => {
        stop();
        reject(new Error(`IPC endpoint: timed out after ${timeoutMs} ms waiting for ${description}`));
      }, timeoutMs);
      const stop = () => {
        clearTimeout(timer);
        this.off(event, onEvent);
      };
      this.on(event, onEvent);
    });
  }

  private removeOwnedDirectory(): void {
    if (this.ownedDirectory !== undefined) rmSync(this.ownedDirectory, { recursive: true, force: true });
  }
}
