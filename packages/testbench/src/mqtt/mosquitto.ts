import { mkdtemp, rm, writeFile } from 'fs/promises';
import { tmpdir } from 'os';
import { join } from 'path';
import { freePort, ManagedProcess, startProcess, waitForPort } from '../process/managed-process';
import { requireTool } from '../process/require-tool';
import { createTestCertificates, TestCertificates } from '../tls/test-certificates';

export interface MosquittoOptions {
  /** Also open a mutual-TLS listener like IoT Core's (client certificate required). */
  tls?: boolean;
}

/** A real mosquitto broker on 127.0.0.1, with persistence off. */
export interface Mosquitto {
  /** mqtt://127.0.0.1:<port>, anonymous plain TCP. */
  url: string;
  port: number;
  /** mqtts://127.0.0.1:<tlsPort>, mutual TLS: clients need a certificate from `certs.caFile`. */
  tlsUrl?: string;
  tlsPort?: number;
  certs?: TestCertificates;
  /** The broker's log (connections, errors), for failing tests' messages. */
  output(): string;
  /** Stops the broker and removes its configuration and certificates. */
  stop(): Promise<void>;
  /** Stops the broker and starts it again on the same ports; clients see their connections drop. */
  restart(): Promise<void>;
  /** An outage: stops the broker, keeping its ports and configuration for {@link resume}. */
  suspend(): Promise<void>;
  /** Starts the suspended broker again on the same ports (no sessions or queued messages survive). */
  resume(): Promise<void>;
}

const START_TIMEOUT_MS = 10_000;

export async function startMosquitto(options: MosquittoOptions = {}): Promise<Mosquitto> {
  const binary = requireTool('mosquitto', 'mosquitto');
  const dir = await mkdtemp(join(tmpdir(), 'ei-gg-mosquitto-'));
  let certs: TestCertificates | undefined;
  try {
    const port = await freePort();
    const tlsPort = options.tls === true ? await freePort() : undefined;
    certs = options.tls === true ? await createTestCertificates() : undefined;
    const configFile = join(dir, 'mosquitto.conf');
    await writeFile(configFile, configuration(port, tlsPort, certs));

    const launch = async (): Promise<ManagedProcess> => {
      const broker = await startProcess(binary, ['-c', configFile], { name: 'mosquitto' });
      try {
        await waitForPort(port, START_TIMEOUT_MS, broker);
        if (tlsPort !== undefined) await waitForPort(tlsPort, START_TIMEOUT_MS, broker);
      } catch (error) {
        await broker.stop();
        throw error;
      }
      return broker;
    };

    let broker = await launch();
    let suspended = false;
    let log = '';
    const stopBroker = async (): Promise<void> => {
      if (suspended) return;
      suspended = true;
      await broker.stop();
      log += broker.output();
    };
    const resume = async (): Promise<void> => {
      if (!suspended) return;
      broker = await launch();
      suspended = false;
    };
    const tlsCerts = certs;
    return {
      url: `mqtt://127.0.0.1:${port}`,
      port,
      ...(tlsPort === undefined ? {} : { tlsUrl: `mqtts://127.0.0.1:${tlsPort}`, tlsPort, certs: tlsCerts }),
      output: () => log + (broker.isRunning() ? broker.output() : ''),
      stop: async () => {
        await stopBroker();
        await tlsCerts?.remove();
        await rm(dir, { recursive: true, force: true });
      },
      restart: async () => {
        await stopBroker();
        await resume();
      },
      suspend: stopBroker,
      resume,
    };
  } catch (error) {
    await certs?.remove();
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

function configuration(port: number, tlsPort: number | undefined, certs: TestCertificates | undefined): string {
  const lines = [
    // Started as root, mosquitto 2.0 switches to user "mosquitto" before reading the certificates, which then
    // could not read keys in this user's private temp directory. "user root" keeps it as it was started; a
    // non-root user is never switched, so this holds for developers too, and the keys stay private.
    'user root',
    'persistence false',
    // Like IoT Core, send small packets at once: Nagle's algorithm with delayed ACKs adds ~40 ms per hop.
    'set_tcp_nodelay true',
    'log_dest stdout',
    'log_type error',
    'log_type warning',
    'log_type notice',
    'log_type information',
    'allow_anonymous true',
    `listener ${port} 127.0.0.1`,
  ];
  if (tlsPort !== undefined && certs !== undefined) {
    lines.push(
      `listener ${tlsPort} 127.0.0.1`,
      `cafile ${certs.caFile}`,
      `certfile ${certs.server.certFile}`,
      `keyfile ${certs.server.keyFile}`,
      'require_certificate true',
      'use_identity_as_username true',
    );
  }
  return `${lines.join('\n')}\n`;
}
