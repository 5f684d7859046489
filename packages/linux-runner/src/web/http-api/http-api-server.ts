import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { RepeatedErrorLog } from '@ei-gg/core';
import { HttpApiError, LinuxRunnerError, type HttpApiErrorCode } from '../../errors';
import type { AttachToRunner, RunnerContext } from '../../pipeline/runner-attachment';
import { AccessGuard } from '../access-guard';
import type { WebEndpoints } from '../web-endpoints';
import { ApiQueue } from './api-queue';
import { ROUTE_LIST, ROUTES, type RouteContext } from './api-routes';
import { projectHeaders } from './original-answers';

/** API requests waiting for the model behind the one at it; more are answered 503 at once. */
export const API_QUEUE_WAITING = 8;
/** Seconds a client refused with 503 is told to wait (Retry-After). */
const RETRY_AFTER_S = 1;
/** A body that has not arrived in this time is given up (Node's default is 5 minutes). */
const REQUEST_TIMEOUT_MS = 60_000;

const STATUS: Record<HttpApiErrorCode, number> = {
  BAD_REQUEST: 400,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  BODY_TOO_LARGE: 413,
  BUSY: 503,
  MODEL_RESTARTING: 503,
};

/**
 * The HTTP inference API of edge-impulse-linux-runner's `--run-http-server` (`GET /api/info`, `POST /api/features`,
 * `POST /api/image`, the same answers), beside the input loop on the same model process, when `http_server_port`
 * is set. Every request passes the AccessGuard first (the token beyond loopback); no CORS headers are sent, so
 * browsers keep other sites' pages from reading answers.
 */
export function attachHttpApi(endpoints: WebEndpoints): AttachToRunner {
  return async (context) => {
    const { port, host } = context.settings.httpServer;
    if (port === 'off') return undefined;
    const guard = new AccessGuard(await context.webToken(), host);
    const server = new HttpApiServer(context, guard);
    await server.listen(port, host);
    // get_status shows `web.http_api` (with the token beyond loopback), like the preview's.
    const { remove } = endpoints.listening('http_api', host, port, guard);
    return {
      stop: async () => {
        remove();
        await server.stop();
      },
    };
  };
}

class HttpApiServer {
  private readonly server: Server;
  private readonly queue = new ApiQueue(API_QUEUE_WAITING);
  private readonly routeContext: RouteContext;
  /** Failures of the model or of the server itself (not clients' mistakes): logged once plus a count. */
  private readonly faults: RepeatedErrorLog;
  private readonly log;

  constructor(
    context: RunnerContext,
    private readonly guard: AccessGuard,
  ) {
    this.log = context.logger.child({ part: 'http-api' });
    this.faults = new RepeatedErrorLog({ logger: this.log, level: 'warn' });
    // Attachments start once the model runs; its information outlives a restart of the same model file.
    let info = context.model()!.info;
    this.routeContext = {
      model: () => context.model(),
      info: () => (info = context.model()?.info ?? info),
    };
    this.server = createServer((request, response) => void this.serve(request, response));
    this.server.requestTimeout = REQUEST_TIMEOUT_MS;
  }

  listen(port: number, host: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const failed = (err: NodeJS.ErrnoException) =>
        reject(
          new LinuxRunnerError(
            'WEB_SERVER_FAILED',
            `the HTTP inference API cannot listen on ${host}:${port} (http_server_host, http_server_port): ${err.code === 'EADDRINUSE' ? 'the port is in use by another process' : err.message}`,
            { context: { host, port }, cause: err },
          ),
        );
      this.server.once('error', failed);
      this.server.listen(port, host, () => {
        this.server.off('error', failed);
        this.log.info('HTTP inference API listening', {
          url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
          token_required: this.guard.tokenRequired,
        });
        resolve();
      });
    });
  }

  async stop(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
    this.faults.close();
  }

  private async serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const refusal = this.guard.check(request);
    if (refusal) return send(response, refusal.status, refusal.message);
    for (const [name, value] of Object.entries(projectHeaders(this.routeContext.info())))
      response.setHeader(name, value);
    try {
      const path = pathOf(request);
      const route = ROUTES[path];
      if (!route) throw new HttpApiError('NOT_FOUND', `no route ${request.method} ${path}; this API has ${ROUTE_LIST}`);
      if (request.method !== route.method) {
        response.setHeader('Allow', route.method);
        throw new HttpApiError('METHOD_NOT_ALLOWED', `${path} takes ${route.method}, not ${request.method}`);
      }
      if (!route.classifies) return send(response, 200, await route.handle(request, this.routeContext, (w) => w()));
      const answer = this.queue.tryRun((atModel) => route.handle(request, this.routeContext, atModel));
      if (!answer)
        throw new HttpApiError(
          'BUSY',
          `${API_QUEUE_WAITING + 1} API requests are in progress already (the model takes one at a time, beside the input): retry shortly`,
        );
      send(response, 200, await answer);
      this.faults.succeeded('classification');
    } catch (err) {
      this.fail(response, err);
    }
  }

  private fail(response: ServerResponse, err: unknown): void {
    if (err instanceof HttpApiError) {
      this.log.debug('request refused', { code: err.code, message: err.message });
      if (STATUS[err.code] === 503) response.setHeader('Retry-After', String(RETRY_AFTER_S));
      return send(response, STATUS[err.code], err.message);
    }
    this.faults.failed('classification', err);
    // A model that exits or hangs is being restarted by the pipeline: worth a retry. Anything else is ours (500).
    const restarting = err instanceof LinuxRunnerError && (err.code === 'MODEL_EXITED' || err.code === 'MODEL_TIMEOUT');
    if (restarting) response.setHeader('Retry-After', String(RETRY_AFTER_S));
    send(response, restarting ? 503 : 500, `inference failed: ${(err as Error).message}`);
  }
}

function pathOf(request: IncomingMessage): string {
  try {
    return new URL(request.url ?? '/', 'http://runner').pathname;
  } catch (err) {
    throw new HttpApiError('BAD_REQUEST', `request target ${request.url} is not a URL path`, { cause: err });
  }
}

/** An answer: JSON for 200 (the routes format it), else the message as text/plain, as the original does. */
function send(response: ServerResponse, status: number, body: string): void {
  if (response.headersSent) return void response.destroy();
  response.statusCode = status;
  response.setHeader('Content-Type', status === 200 ? 'application/json' : 'text/plain; charset=utf-8');
  response.end(status === 200 ? body : `${body}\n`);
}
