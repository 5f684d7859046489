import { eventstream_rpc, greengrasscoreipc } from 'aws-iot-device-sdk-v2';
import { IpcEndpoint, type IpcEndpointOptions, type IpcEnvironment } from '../src/ipc';

export type IpcClient = greengrasscoreipc.Client;

/**
 * Starts endpoints and real greengrasscoreipc clients for one test and closes them all afterwards,
 * so that jest exits on its own.
 */
export class IpcHarness {
  private readonly disposers: (() => Promise<void>)[] = [];

  async endpoint(options: Partial<IpcEndpointOptions> = {}): Promise<IpcEndpoint> {
    const endpoint = await IpcEndpoint.start({ componentName: 'com.example.Tested', ...options });
    this.disposers.push(() => endpoint.close());
    return endpoint;
  }

  /** A client created the way a component creates it: from the environment the nucleus sets. */
  client(env: IpcEnvironment): IpcClient {
    // Every variable is put back: the environment also names the region and the token exchange service.
    const saved = Object.fromEntries(Object.keys(env).map((name) => [name, process.env[name]]));
    Object.assign(process.env, env);
    try {
      const client = greengrasscoreipc.createClient();
      this.disposers.push(() => client.close());
      return client;
    } finally {
      for (const [name, value] of Object.entries(saved)) restore(name, value);
    }
  }

  async connectedClient(endpoint: IpcEndpoint): Promise<IpcClient> {
    const client = this.client(endpoint.env);
    await client.connect();
    return client;
  }

  /** Clients first, so that endpoint.close() finds their streams already ended. */
  async dispose(): Promise<void> {
    for (const dispose of this.disposers.splice(0).reverse()) await dispose();
  }
}

function restore(name: string, value: string | undefined): void {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}

/** The RpcError the client rejects with when the endpoint answers an operation with an error shape. */
export async function serviceErrorOf(operation: Promise<unknown>): Promise<Record<string, unknown>> {
  const error = await operation.then(
    () => {
      throw new Error('expected the operation to fail');
    },
    (rejection: unknown) => rejection,
  );
  expect(error).toBeInstanceOf(eventstream_rpc.RpcError);
  const rpcError = error as eventstream_rpc.RpcError;
  expect(rpcError.type).toBe(eventstream_rpc.RpcErrorType.ServiceError);
  return rpcError.serviceError as Record<string, unknown>;
}

export function nextMessage<T>(operation: {
  once(event: 'message', listener: (message: T) => void): unknown;
}): Promise<T> {
  return new Promise((resolve) => operation.once('message', resolve));
}

export async function waitUntil(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
