import { createConnection, createServer, type Server, type Socket } from 'node:net';

/**
 * The device's network path to the broker: a TCP relay on 127.0.0.1 the component connects through. `cut()` drops
 * every connection and refuses new ones (the device's network is gone; the broker and the cloud stay up, as IoT
 * Core does), `restore()` lets connections through again.
 */
export class NetworkLink {
  private readonly sockets = new Set<Socket>();
  private up = true;

  private readonly server: Server;

  private constructor(targetPort: number) {
    this.server = createServer((device) => this.relay(device, targetPort));
  }

  static async open(targetPort: number): Promise<NetworkLink> {
    const link = new NetworkLink(targetPort);
    await new Promise<void>((resolve, reject) => {
      link.server.once('error', reject);
      link.server.listen(0, '127.0.0.1', resolve);
    });
    return link;
  }

  get port(): number {
    const address = this.server.address();
    if (address === null || typeof address === 'string') throw new Error('the link has no TCP port');
    return address.port;
  }

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  cut(): void {
    this.up = false;
    for (const socket of this.sockets) socket.destroy();
  }

  restore(): void {
    this.up = true;
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private relay(device: Socket, targetPort: number): void {
    if (!this.up) return void device.destroy();
    const broker = createConnection({ host: '127.0.0.1', port: targetPort });
    for (const [socket, peer] of [
      [device, broker],
      [broker, device],
    ] as const) {
      this.sockets.add(socket);
      socket.setNoDelay(true);
      socket.pipe(peer);
      socket.on('error', () => peer.destroy());
      socket.on('close', () => {
        this.sockets.delete(socket);
        peer.destroy();
      });
    }
  }
}
