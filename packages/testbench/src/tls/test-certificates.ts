import { execFile } from 'child_process';
import { randomBytes } from 'crypto';
import { mkdtemp, rm, writeFile } from 'fs/promises';
import { tmpdir } from 'os';
import { join } from 'path';
import { promisify } from 'util';
import { requireTool } from '../process/require-tool';

const run = promisify(execFile);

export interface CertificateFiles {
  certFile: string;
  keyFile: string;
}

/** PEM files made by the openssl CLI for one test run; the directory and keys are private to this user. */
export interface TestCertificates {
  dir: string;
  /** The CA that signed `server` and `client`. */
  caFile: string;
  /** CN test-server, subjectAltName IP 127.0.0.1 and DNS localhost. */
  server: CertificateFiles;
  /** CN test-client (a broker with use_identity_as_username sees user "test-client"). */
  client: CertificateFiles;
  /** An unrelated CA: a client trusting only it cannot verify the server. */
  wrongCaFile: string;
  /** CN wrong-client, signed by the wrong CA: a broker trusting `caFile` rejects it. */
  wrongClient: CertificateFiles;
  remove(): Promise<void>;
}

const SERVER_EXTENSIONS = [
  'basicConstraints=CA:FALSE',
  'keyUsage=critical,digitalSignature,keyEncipherment',
  'extendedKeyUsage=serverAuth',
  'subjectAltName=IP:127.0.0.1,DNS:localhost',
];
const CLIENT_EXTENSIONS = [
  'basicConstraints=CA:FALSE',
  'keyUsage=critical,digitalSignature,keyEncipherment',
  'extendedKeyUsage=clientAuth',
];
// EC P-256 keys: generated in milliseconds, accepted by mosquitto (OpenSSL) and aws-crt (s2n).
const NEW_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
const DAYS = '2';

export async function createTestCertificates(): Promise<TestCertificates> {
  const openssl = requireTool('openssl', 'openssl');
  const dir = await mkdtemp(join(tmpdir(), 'ei-gg-certs-'));
  const file = (name: string): string => join(dir, name);

  const makeCa = async (name: string): Promise<CertificateFiles> => {
    const files = { certFile: file(`${name}.crt`), keyFile: file(`${name}.key`) };
    await run(openssl, [
      'req',
      '-x509',
      ...NEW_KEY,
      '-keyout',
      files.keyFile,
      '-out',
      files.certFile,
      '-days',
      DAYS,
      '-subj',
      `/CN=ei-gg ${name}`,
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ]);
    return files;
  };

  const makeLeaf = async (
    name: string,
    issuer: CertificateFiles,
    extensions: readonly string[],
  ): Promise<CertificateFiles> => {
    const files = { certFile: file(`${name}.crt`), keyFile: file(`${name}.key`) };
    const csr = file(`${name}.csr`);
    const extFile = file(`${name}.ext`);
    await writeFile(extFile, `${extensions.join('\n')}\n`);
    await run(openssl, ['req', '-new', ...NEW_KEY, '-keyout', files.keyFile, '-out', csr, '-subj', `/CN=${name}`]);
    await run(openssl, [
      'x509',
      '-req',
      '-in',
      csr,
      '-CA',
      issuer.certFile,
      '-CAkey',
      issuer.keyFile,
      '-set_serial',
      `0x${randomBytes(8).toString('hex')}`,
      '-days',
      DAYS,
      '-extfile',
      extFile,
      '-out',
      files.certFile,
    ]);
    return files;
  };

  try {
    const [ca, wrongCa] = await Promise.all([makeCa('ca'), makeCa('wrong-ca')]);
    const [server, client, wrongClient] = await Promise.all([
      makeLeaf('test-server', ca, SERVER_EXTENSIONS),
      makeLeaf('test-client', ca, CLIENT_EXTENSIONS),
      makeLeaf('wrong-client', wrongCa, CLIENT_EXTENSIONS),
    ]);
    return {
      dir,
      caFile: ca.certFile,
      server,
      client,
      wrongCaFile: wrongCa.certFile,
      wrongClient,
      remove: () => rm(dir, { recursive: true, force: true }),
    };
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}
