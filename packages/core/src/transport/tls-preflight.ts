import { readFile } from 'fs/promises';
import { isIP } from 'net';
import { connect } from 'tls';
import { TransportError } from '../errors';

export interface TlsPreflightTarget {
  /** For messages: the URL as configured. */
  url: string;
  host: string;
  port: number;
  certFile: string;
  keyFile: string;
  /** Trust anchors; the default trust store when absent. */
  caFile?: string;
  timeoutMs: number;
}

/**
 * One mutual-TLS handshake with Node's own TLS before the aws-crt client starts. aws-crt (s2n) reports a failed
 * handshake only after its 10-30 s "blinding" delay, and a client stopped meanwhile takes as long to stop; Node
 * fails at once with OpenSSL's reason. So a wrong --ca, an unreadable file or an unreachable broker is reported
 * in milliseconds, by name, and no native client is left to clean up.
 */
export async function checkTlsHandshake(target: TlsPreflightTarget): Promise<void> {
  const [cert, key, ca] = await Promise.all([
    readPem(target, '--cert', target.certFile),
    readPem(target, '--key', target.keyFile),
    target.caFile === undefined ? undefined : readPem(target, '--ca', target.caFile),
  ]);
  await new Promise<void>((resolve, reject) => {
    const socket = connect({
      host: target.host,
      port: target.port,
      cert,
      key,
      ...(ca === undefined ? {} : { ca }),
      ...(isIP(target.host) ? {} : { servername: target.host }),
      // The protocol aws-crt offers too; AWS IoT Core needs it on port 443.
      ALPNProtocols: ['x-amzn-mqtt-ca'],
    });
    socket.setTimeout(target.timeoutMs, () =>
      socket.destroy(new Error(`no TLS handshake within ${target.timeoutMs} ms`)),
    );
    socket.once('secureConnect', () => {
      socket.destroy();
      resolve();
    });
    socket.once('error', (error: NodeJS.ErrnoException) => reject(describeFailure(target, error)));
  });
}

async function readPem(target: TlsPreflightTarget, flag: string, file: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (cause) {
    throw new TransportError(`cannot read ${flag} file ${file} for ${target.url}: ${(cause as Error).message}`, {
      context: { transport: 'mqtt', url: target.url, file },
      cause,
    });
  }
}

/** Socket-level failures name the connection; everything else happened in the handshake. */
const SOCKET_ERRORS = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

function describeFailure(target: TlsPreflightTarget, error: NodeJS.ErrnoException): TransportError {
  const context = { transport: 'mqtt', url: target.url, code: error.code };
  if (error.code !== undefined && SOCKET_ERRORS.has(error.code)) {
    return new TransportError(`connection to ${target.url} failed: ${error.message}`, { context, cause: error });
  }
  return new TransportError(
    `TLS handshake with ${target.url} failed: ${error.message}: check --ca (the CA that signed the broker's ` +
      'certificate), --cert and --key',
    { context, cause: error },
  );
}
