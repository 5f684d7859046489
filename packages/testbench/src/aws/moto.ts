import { request } from 'http';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { freePort, ManagedProcess, startProcess, waitForPort } from '../process/managed-process';
import { findTool } from '../process/require-tool';

/** What an AWS SDK v3 client needs to talk to moto instead of AWS (`new S3Client(moto.clientConfig)`). */
export interface MotoClientConfig {
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  /** S3 only (bucket in the path, not the host name); other clients ignore it. */
  forcePathStyle: boolean;
}

/** A real moto_server (Secrets Manager, S3, IAM, IoT, STS; no Greengrass v2) on 127.0.0.1. */
export interface Moto {
  /** http://127.0.0.1:<port> */
  endpoint: string;
  port: number;
  clientConfig: MotoClientConfig;
  /** Creates a Secrets Manager secret holding `secretString` (what a deployment's secret would hold). */
  createSecret(name: string, secretString: string): Promise<void>;
  /** Forgets every resource (POST /moto-api/reset). */
  reset(): Promise<void>;
  stop(): Promise<void>;
  /** Stops the server and starts it again on the same port, with no resources. */
  restart(): Promise<void>;
}

// Python imports every service model at startup: about 2 s here, more on a loaded CI machine.
const START_TIMEOUT_MS = 30_000;

export async function startMoto(): Promise<Moto> {
  const binary = findTool('moto_server');
  if (binary === undefined) {
    throw new Error(
      'moto_server not found on PATH: it comes from the Python package moto[server] 5.x, which no Debian package provides',
    );
  }
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;

  const launch = async (): Promise<ManagedProcess> => {
    const server = await startProcess(binary, ['-H', '127.0.0.1', '-p', String(port)], { name: 'moto_server' });
    try {
      await waitForPort(port, START_TIMEOUT_MS, server);
    } catch (error) {
      await server.stop();
      throw error;
    }
    return server;
  };

  let server = await launch();
  const clientConfig: MotoClientConfig = {
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    forcePathStyle: true,
  };
  return {
    endpoint,
    port,
    clientConfig,
    createSecret: async (name, secretString) => {
      const admin = new SecretsManagerClient(clientConfig);
      try {
        await admin.send(new CreateSecretCommand({ Name: name, SecretString: secretString }));
      } finally {
        admin.destroy();
      }
    },
    reset: () => postReset(port),
    stop: async () => {
      await server.stop();
    },
    restart: async () => {
      await server.stop();
      server = await launch();
    },
  };
}

// A one-off connection (agent: false), so no keep-alive socket outlives the call and holds jest open.
function postReset(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/moto-api/reset', method: 'POST', agent: false }, (res) => {
      res.resume();
      res.on('end', () =>
        res.statusCode === 200 ? resolve() : reject(new Error(`moto reset failed: HTTP ${res.statusCode}`)),
      );
    });
    req.on('error', reject);
    req.end();
  });
}
