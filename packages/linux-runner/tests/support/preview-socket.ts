import WebSocket from 'ws';
import { messageText } from '../../src/web/preview/preview-messages';

/** A message of the preview's WebSocket, as the original runner's clients read it. */
export interface PreviewMessage {
  type: string;
  [field: string]: unknown;
}

/**
 * A client of the runner's preview WebSocket that keeps every message, so a test can wait for the next one of a
 * kind (messages are read in order; the ones skipped while waiting are gone).
 */
export class PreviewSocket {
  private readonly messages: PreviewMessage[] = [];
  private wake: (() => void) | undefined;
  private closed = false;

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data: WebSocket.RawData) => {
      this.messages.push(JSON.parse(messageText(data)) as PreviewMessage);
      this.wake?.();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake?.();
    });
  }

  /** Connects, or rejects with the HTTP status and body of a refused upgrade. */
  static connect(url: string, headers: Record<string, string> = {}): Promise<PreviewSocket> {
    const socket = new WebSocket(url, { headers });
    return new Promise((resolve, reject) => {
      socket.once('open', () => resolve(new PreviewSocket(socket)));
      socket.once('unexpected-response', (_request, response) => {
        let body = '';
        response.on('data', (chunk: Buffer) => (body += String(chunk)));
        response.on('end', () => reject(new UpgradeRefused(response.statusCode ?? 0, body)));
      });
      socket.once('error', reject);
    });
  }

  send(message: object | string): void {
    this.socket.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** The next message that matches, waiting up to `timeoutMs`. */
  async next(predicate: (m: PreviewMessage) => boolean, timeoutMs = 15_000): Promise<PreviewMessage> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const index = this.messages.findIndex(predicate);
      if (index >= 0) return this.messages.splice(0, index + 1)[index];
      this.messages.length = 0;
      if (this.closed) throw new Error('the preview socket closed');
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no matching preview message within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  /** The next message of this type. */
  nextOfType(type: string, timeoutMs?: number): Promise<PreviewMessage> {
    return this.next((m) => m.type === type, timeoutMs);
  }

  close(): void {
    this.socket.terminate();
  }
}

/** A WebSocket upgrade the runner answered with an HTTP error. */
export class UpgradeRefused extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
  ) {
    super(`upgrade refused: ${status} ${body}`);
  }
}
