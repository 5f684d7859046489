import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DEMO_MODEL, DEMO_MODEL_ENV, type DemoModelPreset } from '@ei-gg/testbench';

export interface StudioState {
  /** The latest deploy version Studio has built; undefined: no build yet (a build job makes `nextBuildVersion`). */
  version?: number;
  nextBuildVersion: number;
  /** The download answers HTTP 500. */
  failDownload: boolean;
}

/**
 * A local stand-in for the few Edge Impulse Studio REST calls the runner makes (Studio itself is unreachable
 * from tests), answering in the real API's shapes (`{success, ...}`, `x-api-key` authentication). The
 * `.eim` it serves is a small launcher of the demo model that reports the served deploy version.
 */
export class StudioStandIn {
  readonly state: StudioState = { nextBuildVersion: 1, failDownload: false };
  /** `METHOD /path?query` of every authenticated request, in order. */
  readonly requests: string[] = [];
  /** The JSON body of every build job started. */
  readonly builds: unknown[] = [];
  readonly projectId = 4242;

  private constructor(
    private readonly server: Server,
    private readonly apiKey: string,
    private readonly preset: DemoModelPreset,
  ) {}

  static async start(apiKey: string, preset: DemoModelPreset = 'image-classification'): Promise<StudioStandIn> {
    const server = createServer();
    const studio = new StudioStandIn(server, apiKey, preset);
    server.on('request', (req, res) => studio.handle(req, res));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return studio;
  }

  /** What EI_GG_STUDIO_URL is set to (the real one is https://studio.edgeimpulse.com/v1). */
  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    this.server.close();
    await once(this.server, 'close');
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    const send = (status: number, body: unknown, type = 'application/json') => {
      res.writeHead(status, { 'content-type': type });
      res.end(typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body));
    };
    if (req.headers['x-api-key'] !== this.apiKey) return send(401, { success: false, error: 'Unauthorized' });
    this.requests.push(`${req.method} ${url.pathname}${url.search}`);
    const route = `${req.method} ${url.pathname}`;
    const body: Buffer[] = [];
    req.on('data', (chunk: Buffer) => body.push(chunk));
    req.on('end', () => this.route(route, Buffer.concat(body).toString(), send));
  }

  private route(route: string, body: string, send: (status: number, body: unknown, type?: string) => void): void {
    const project = `/v1/api/${this.projectId}`;
    switch (route) {
      case 'GET /v1/api/projects':
        return send(200, {
          success: true,
          projects: [{ id: this.projectId, name: 'fixture project', owner: 'ei-gg tests' }],
        });
      case `GET ${project}/deployment`:
        return send(200, {
          success: true,
          hasDeployment: this.state.version !== undefined,
          ...(this.state.version !== undefined ? { version: this.state.version } : {}),
        });
      case `POST ${project}/jobs/build-ondevice-model`:
        this.builds.push(JSON.parse(body));
        this.state.version = this.state.nextBuildVersion;
        return send(200, { success: true, id: 77 });
      case `GET ${project}/jobs/77/status`:
        return send(200, {
          success: true,
          job: { id: 77, finished: new Date().toISOString(), finishedSuccessful: true },
        });
      case `GET ${project}/deployment/download`:
        if (this.state.failDownload || this.state.version === undefined)
          return send(500, { success: false, error: 'build artefact unavailable' });
        return send(200, this.modelFor(this.state.version), 'application/octet-stream');
      default:
        return send(404, { success: false, error: `no route ${route}` });
    }
  }

  private modelFor(version: number): string {
    const spec = JSON.stringify({ preset: this.preset, deployVersion: version, projectName: 'fixture project' });
    return `#!/usr/bin/env node\nprocess.env.${DEMO_MODEL_ENV} = ${JSON.stringify(spec)};\nrequire(${JSON.stringify(DEMO_MODEL)});\n`;
  }
}
