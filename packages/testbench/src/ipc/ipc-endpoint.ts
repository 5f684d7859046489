/**
 * A local Greengrass IPC endpoint: a Unix-socket server speaking the nucleus's event-stream RPC
 * protocol, so that the unmodified `greengrasscoreipc` client of aws-iot-device-sdk-v2, in this process
 * or in a child process, talks to it as to the nucleus, on behalf of one component.
 *
 *   const endpoint = await IpcEndpoint.start({
 *     componentName: 'com.example.Component',
 *     configuration: { thingName: 'dev-1', intervalMs: 1000 },   // the component's configuration tree
 *     secrets: { EI_API_KEY: 'ei_123' },                        // by name or ARN
 *     policy: recipe.ComponentConfiguration.DefaultConfiguration.accessControl,  // else configuration.accessControl
 *     thingName: 'dev-1',                                       // AWS_IOT_THING_NAME
 *     region: 'eu-west-1',                                      // AWS_REGION, AWS_DEFAULT_REGION
 *     nucleus: 'classic',                                       // or 'lite' (Greengrass Nucleus Lite 2.6)
 *     interpolateComponentConfiguration: false,                 // the Java nucleus's default: no {iot:thingName}
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
 *   endpoint.tokenExchange.requests;           // who fetched credentials from the token exchange service
 *   await endpoint.dropConnections();  // the client emits 'disconnection'; a new client may connect
 *   await client.close();
 *   await endpoint.close();
 *
 * Served: PublishToIoTCore, SubscribeToIoTCore, GetConfiguration, SubscribeToConfigurationUpdate,
 * UpdateState, GetSecretValue, PublishToTopic, SubscribeToTopic, and aws.greengrass.ShadowManager's
 * GetThingShadow, UpdateThingShadow, DeleteThingShadow (shadow-store.ts); anything else fails with ServiceError.
 * As strict as the nucleus: Connect must carry the endpoint's SVCUID; a component without a policy may do
 * nothing that needs one (every operation here but configuration and UpdateState); requests are authorized
 * before they are validated further (PublishToTopic refuses a wildcard topic only once authorized);
 * `{iot:thingName}` in the policy matches only itself unless `interpolateComponentConfiguration` is on (Java
 * nucleus option, default off; KernelConfigResolver); configuration keys match whatever their case (Java
 * nucleus; Lite compares them exactly); GetConfiguration of a leaf returns `{ <key>: value }`; refused
 * requests fail with UnauthorizedError. The client rejects a failed operation with an RpcError of type
 * ServiceError whose `serviceError` is the error body; only its `_errorCode` ('UnauthorizedError',
 * 'ResourceNotFoundError', ...) tells the kinds apart. An error shape the operation's model does not list
 * (e.g. InvalidArgumentsError for PublishToIoTCore) surfaces as an InternalError "Unexpected response shape".
 *
 * With `nucleus: 'lite'` it answers as Greengrass Nucleus Lite 2.6: GetSecretValue, the shadow operations and
 * anything else it lacks fail with Lite's bare ServiceError (`{ _message: '', _errorCode: 'ServiceError' }`),
 * error bodies carry only `_message` and `_errorCode`, refusals say "IPC Operation not authorized.", and the
 * policy's recipe variables are never substituted.
 *
 * The environment (`env`) is what both nuclei give a component: the socket, SVCUID, AWS_IOT_THING_NAME (when
 * `thingName` is given), AWS_REGION/AWS_DEFAULT_REGION, GG_ROOT_CA_PATH, and a token exchange service (a real
 * HTTP server, token-exchange-service.ts) in AWS_CONTAINER_CREDENTIALS_FULL_URI with the SVCUID as
 * AWS_CONTAINER_AUTHORIZATION_TOKEN.
 */
import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { AccessPolicy, type AccessControl } from './access-policy';
import { ConfigurationStore, type ConfigTree } from './configuration-store';
import { IpcConnection, type OperationStream } from './ipc-connection';
import { IpcError, type NucleusKind } from './ipc-error';
import { runOperation, type ComponentServices, type PublishedMessage } from './ipc-operations';
import { InMemoryIotCore, type IotCoreBridge } from './iot-core-bridge';
import { LocalPubSub, type LocalMessage } from './local-pub-sub';
import { SecretStore, type SecretsOption } from './secret-store';
import { ShadowStore } from './shadow-store';
import { TokenExchangeService, type TokenExchangeCredentials } from './token-exchange-service';

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
  /**
   * The component's accessControl. When undefined, the policy is the configuration's `accessControl`, as on
   * the nucleus, and follows updateConfiguration(); with neither, the component is allowed nothing.
   */
  policy?: AccessControl;
  /** The core device's thing name: AWS_IOT_THING_NAME, and `{iot:thingName}` where the nucleus substitutes it. */
  thingName?: string;
  /** The nucleus's AWS region: AWS_REGION, AWS_DEFAULT_REGION and the region of secret ARNs (default us-east-1). */
  region?: string;
  /** GG_ROOT_CA_PATH (default '': what both nuclei set when no root CA path is configured). */
  rootCaPath?: string;
  /** What the token exchange service hands out (default: random temporary credentials). */
  credentials?: TokenExchangeCredentials;
  /**
   * Which nucleus to answer as (default 'classic', the Java nucleus). 'lite': Greengrass Nucleus Lite 2.6, which
   * has no GetSecretValue and no shadow operations, words errors its own way, compares configuration keys
   * exactly and never substitutes recipe variables in policies.
   */
  nucleus?: NucleusKind;
  /**
   * The Java nucleus's `interpolateComponentConfiguration` (default false, as on the nucleus): when on,
   * `{iot:thingName}` in the configuration (accessControl included) is replaced by `thingName`. Lite 2.6 has no
   * such option and never substitutes.
   */
  interpolateComponentConfiguration?: boolean;
  /** Defaults to a new InMemoryIotCore. */
  iotCore?: IotCoreBridge;
}

/** The environment the nucleus gives a component process, pointing at this endpoint. */
export interface IpcEnvironment {
  AWS_GG_NUCLEUS_DOMAIN_SOCKET_FILEPATH_FOR_COMPONENT: string;
  SVCUID: string;
  /** The core device's thing name, as the nucleus sets it for every component (when `thingName` is given). */
  AWS_IOT_THING_NAME?: string;
  AWS_REGION: string;
  AWS_DEFAULT_REGION: string;
  GG_ROOT_CA_PATH: string;
  /** The token exchange service, e.g. `http://127.0.0.1:41235/2016-11-01/credentialprovider/`. */
  AWS_CONTAINER_CREDENTIALS_FULL_URI: string;
  /** The component's SVCUID, as both nuclei set it. */
  AWS_CONTAINER_AUTHORIZATION_TOKEN: string;
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

const DEFAULT_REGION = 'us-east-1';

export class IpcEndpoint extends EventEmitter<IpcEndpointEvents> {
  readonly componentName: string;
  readonly nucleus: NucleusKind;
  readonly thingName: string | undefined;
  readonly region: string;
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
  /** The token exchange service in AWS_CONTAINER_CREDENTIALS_FULL_URI; set once started. */
  tokenExchange!: TokenExchangeService;

  private readonly server: Server;
  private readonly interpolate: boolean;
  private readonly connections = new Set<IpcConnection>();
  private readonly configurationStore: ConfigurationStore;
  private readonly pubSub = new LocalPubSub();
  private readonly services: ComponentServices;

  private constructor(
    private readonly options: IpcEndpointOptions,
    socketPath: string,
    private readonly ownedDirectory?: string,
  ) {
    super();
    this.componentName = options.componentName;
    this.nucleus = options.nucleus ?? 'classic';
    this.thingName = options.thingName;
    this.region = options.region ?? DEFAULT_REGION;
    // Lite 2.6 substitutes no recipe variable in policies; the Java nucleus only when told to.
    this.interpolate = this.nucleus === 'classic' && options.interpolateComponentConfiguration === true;
    this.socketPath = socketPath;
    this.svcuid = options.svcuid ?? randomBytes(16).toString('hex');
    this.iotCore = options.iotCore ?? new InMemoryIotCore();
    this.configurationStore = new ConfigurationStore(this.interpolated(options.configuration ?? {}), {
      caseInsensitiveKeys: this.nucleus === 'classic',
    });
    this.shadows = new ShadowStore(this.pubSub);
    this.services = {
      componentName: this.componentName,
      nucleus: this.nucleus,
      policy: this.currentPolicy(),
      configuration: this.configurationStore,
      secrets: new SecretStore(options.secrets, this.region),
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
      endpoint.tokenExchange = await TokenExchangeService.start([endpoint.svcuid], options.credentials);
      await new Promise<void>((resolve, reject) => {
        endpoint.server.once('error', reject);
        endpoint.server.listen(socketPath, () => {
          endpoint.server.off('error', reject);
          resolve();
        });
      });
    } catch (error) {
      await endpoint.tokenExchange?.close();
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
      AWS_REGION: this.region,
      AWS_DEFAULT_REGION: this.region,
      GG_ROOT_CA_PATH: this.options.rootCaPath ?? '',
      AWS_CONTAINER_CREDENTIALS_FULL_URI: this.tokenExchange.uri,
      AWS_CONTAINER_AUTHORIZATION_TOKEN: this.svcuid,
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
   * subscriber per changed key path at or below its subscribed path. Returns the changed key paths. A policy
   * taken from the configuration's accessControl follows it, as the nucleus reloads policies.
   */
  updateConfiguration(configuration: ConfigTree): string[][] {
    const changed = this.configurationStore.replace(this.interpolated(configuration));
    this.services.policy = this.currentPolicy();
    return changed;
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
    await this.tokenExchange.close();
    this.removeOwnedDirectory();
  }

  /** `{iot:thingName}` replaced in every string of the configuration, when the nucleus interpolates. */
  private interpolated(configuration: ConfigTree): ConfigTree {
    if (!this.interpolate || this.thingName === undefined) return configuration;
    return substitute(configuration, '{iot:thingName}', this.thingName) as ConfigTree;
  }

  /** The policy option, else the configuration's accessControl (any case of the key, on the Java nucleus). */
  private currentPolicy(): AccessPolicy {
    const fromConfiguration = () => {
      const path = this.configurationStore.resolve(['accessControl']);
      return path === undefined ? undefined : (this.configurationStore.tree[path[0]] as AccessControl);
    };
    const accessControl = this.options.policy ?? fromConfiguration();
    const variables = this.interpolate && this.thingName !== undefined ? { thingName: this.thingName } : {};
    return new AccessPolicy(accessControl, this.componentName, variables);
  }

  private accept(socket: Socket): void {
    const connection = new IpcConnection(socket, {
      authenticate: (token) => token === this.svcuid,
      dispatch: async (operation, request, stream) => {
        const response = await this.run(operation, request, stream);
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

  /** Runs an operation; a failure leaves as the played nucleus words it. */
  private async run(operation: string, request: unknown, stream: OperationStream): Promise<object> {
    try {
      return await runOperation(this.services, operation, request, stream);
    } catch (error) {
      const ipcError = error instanceof IpcError ? error : new IpcError('ServiceError', (error as Error).message);
      throw ipcError.as(this.nucleus);
    }
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

function substitute(value: unknown, placeholder: string, replacement: string): unknown {
  if (typeof value === 'string') return value.split(placeholder).join(replacement);
  if (Array.isArray(value)) return value.map((item) => substitute(item, placeholder, replacement));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([key, child]) => [key, substitute(child, placeholder, replacement)]),
    );
  }
  return value;
}
