import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';
import WebSocket from 'ws';
import { LinuxRunnerError } from '../../errors';
import type { AccessGuard } from '../access-guard';
import type { PreviewClients } from './preview-clients';
import { previewRequestHandler, refuseUpgrade } from './preview-http';

/**
 * The live preview's HTTP server: the page at `/`, and on `/` too the original runner's plain WebSocket (an
 * upgrade request), both behind the access guard.
 */
export class PreviewServer {
  private constructor(
    private readonly server: Server,
    private readonly sockets: WebSocket.Server,
    private readonly clients: PreviewClients,
    /** The port listened on (the one asked for, or the one given for port 0). */
    readonly port: number,
  ) {}

  static async start(host: string, port: number, guard: AccessGuard, clients: PreviewClients): Promise<PreviewServer> {
    const server = createServer(previewRequestHandler(guard));
    const sockets = new WebSocket.Server({ noServer: true, maxPayload: 64 * 1024 });
    server.on('upgrade', (request, socket: Socket, head: Buffer) => {
      const refusal = guard.check(request);
      if (refusal) return refuseUpgrade(socket, refusal.status, refusal.message);
      const path = new URL(request.url ?? '/', 'http://runner').pathname;
      if (path !== '/') return refuseUpgrade(socket, 404, `no WebSocket at ${path}: the preview's is at /`);
      sockets.handleUpgrade(request, socket, head, (client) => clients.add(client));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    }).catch((err: NodeJS.ErrnoException) => {
      const hint =
        err.code === 'EADDRINUSE'
          ? ': another program (another runner?) listens there; set preview_port to a free port or off'
          : '';
      throw new LinuxRunnerError('WEB_SERVER_FAILED', `the preview cannot listen on ${host}:${port}${hint}`, {
        context: { host, port, code: err.code },
        cause: err,
      });
    });
    const address = server.address();
    return new PreviewServer(server, sockets, clients, typeof address === 'object' && address ? address.port : port);
  }

  async stop(): Promise<void> {
    this.clients.close();
    // Upgraded sockets count as the server's connections: they go first, or close() would wait for them.
    for (const client of this.sockets.clients) client.terminate();
    this.sockets.close();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}
