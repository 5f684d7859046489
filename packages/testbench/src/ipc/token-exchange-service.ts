import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The AWS credentials the token exchange service hands out (the role alias's temporary credentials). */
export interface TokenExchangeCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
}

/** One request the service answered, for tests to check who asked and what they got. */
export interface TokenExchangeRequest {
  method: string;
  path: string;
  /** The Authorization header (the component's AWS_CONTAINER_AUTHORIZATION_TOKEN), or undefined. */
  authorization: string | undefined;
  status: number;
}

/** The path both nuclei serve credentials on (HttpServerImpl.URL; Lite's recipe runner builds the same URI). */
export const TOKEN_EXCHANGE_PATH = '/2016-11-01/credentialprovider/';

/**
 * A stand-in for aws.greengrass.TokenExchangeService on real HTTP, answering as CredentialRequestHandler does:
 * GET on `/2016-11-01/credentialprovider/` only (405 for another method, 400 for another path), the
 * `Authorization` header must be a token it knows (a component's SVCUID, which the nucleus also gives the
 * component as AWS_CONTAINER_AUTHORIZATION_TOKEN; 403 otherwise), and the answer is the container credentials
 * document `{ AccessKeyId, SecretAccessKey, Token, Expiration }` that the AWS SDK's HTTP credential provider
 * reads. It listens on 127.0.0.1 (the nucleus names `localhost`; the SDK accepts either, plain HTTP only on
 * loopback). Credentials expire an hour after each request, like role-alias credentials.
 */
export class TokenExchangeService {
  /** Every request, in order. */
  readonly requests: TokenExchangeRequest[] = [];
  readonly credentials: TokenExchangeCredentials;

  private constructor(
    private readonly server: Server,
    private readonly tokens: ReadonlySet<string>,
    credentials: TokenExchangeCredentials,
  ) {
    this.credentials = credentials;
    server.on('request', (request, response) => this.answer(request, response));
  }

  static async start(tokens: Iterable<string>, credentials?: TokenExchangeCredentials): Promise<TokenExchangeService> {
    const server = createServer();
    const service = new TokenExchangeService(server, new Set(tokens), credentials ?? randomCredentials());
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    return service;
  }

  /** AWS_CONTAINER_CREDENTIALS_FULL_URI. */
  get uri(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}${TOKEN_EXCHANGE_PATH}`;
  }

  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }

  private answer(request: IncomingMessage, response: ServerResponse): void {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    const authorization = request.headers.authorization;
    const status =
      request.method !== 'GET'
        ? 405
        : path !== TOKEN_EXCHANGE_PATH
          ? 400
          : authorization === undefined || !this.tokens.has(authorization)
            ? 403
            : 200;
    this.requests.push({ method: request.method ?? '', path, authorization, status });
    request.resume();
    if (status !== 200) {
      response.writeHead(status, { 'Content-Length': 0 }).end();
      return;
    }
    const body = JSON.stringify({
      AccessKeyId: this.credentials.accessKeyId,
      SecretAccessKey: this.credentials.secretAccessKey,
      Token: this.credentials.sessionToken,
      Expiration: new Date(Date.now() + 3600_000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    });
    response
      .writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) })
      .end(body);
  }
}

function randomCredentials(): TokenExchangeCredentials {
  return {
    accessKeyId: `ASIA${randomBytes(8).toString('hex').toUpperCase()}`,
    secretAccessKey: randomBytes(20).toString('base64'),
    sessionToken: randomBytes(32).toString('base64'),
  };
}
