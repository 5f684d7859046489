import { freePort } from '@ei-gg/testbench';
import WebSocket from 'ws';
import { componentFps } from './runner-fps-ratio';
import { round } from './statistics';

export interface PreviewFpsFigures {
  /** Frames/s with a preview client watching the camera preview / without: the share of the pace the page leaves. */
  preview_fps_ratio: number;
  with_client_fps: number;
  without_client_fps: number;
  /** Camera preview frames the client got while it watched (at most 5/s by design). */
  preview_frames: number;
  frames: number;
}

/**
 * The live preview must not slow inference: the linux runner's frames/s with one preview WebSocket client that
 * asked for the camera preview (frames encoded and sent to it) against the same run with nobody watching. Runs
 * alternate (without, with, with, without) so that a drift of the machine's speed weighs on both alike.
 */
export async function previewFpsRatio(frames: number): Promise<PreviewFpsFigures> {
  const without: number[] = [];
  const withClient: number[] = [];
  let previewFrames = 0;
  for (const watched of [false, true, true, false]) {
    const port = await freePort();
    const settings = { preview_port: String(port) };
    if (!watched) {
      without.push(await componentFps(frames, { settings }));
      continue;
    }
    let client: PreviewWatcher | undefined;
    try {
      withClient.push(
        await componentFps(frames, {
          settings,
          ready: async () => {
            client = await PreviewWatcher.connect(port);
          },
        }),
      );
      previewFrames += client?.frames ?? 0;
    } finally {
      client?.close();
    }
  }
  const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
  return {
    preview_fps_ratio: round(mean(withClient) / mean(without)),
    with_client_fps: round(mean(withClient), 1),
    without_client_fps: round(mean(without), 1),
    preview_frames: previewFrames,
    frames,
  };
}

/** A client like the preview page: it turns the camera preview on and reads everything it is sent. */
class PreviewWatcher {
  frames = 0;

  private constructor(private readonly socket: WebSocket) {}

  /** Connects as soon as the runner listens, and resolves once the first preview frame arrived. */
  static async connect(port: number): Promise<PreviewWatcher> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      try {
        return await PreviewWatcher.tryConnect(port);
      } catch (err) {
        if (Date.now() > deadline)
          throw new Error(`no preview WebSocket on port ${port}: ${(err as Error).message}`, { cause: err });
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  }

  private static tryConnect(port: number): Promise<PreviewWatcher> {
    const socket = new WebSocket(`ws://127.0.0.1:${port}/`);
    const watcher = new PreviewWatcher(socket);
    return new Promise((resolve, reject) => {
      socket.once('error', reject);
      socket.once('open', () => socket.send(JSON.stringify({ type: 'set-camera-preview', enabled: true })));
      socket.on('message', (data: WebSocket.RawData | string) => {
        // ws 7 (installed) hands text over as strings, ws 8 as Buffers.
        const text = typeof data === 'string' ? data : Buffer.isBuffer(data) ? data.toString('utf8') : '';
        if (!text.includes('"camera-preview"')) return;
        if (watcher.frames++ === 0) resolve(watcher);
      });
    });
  }

  close(): void {
    this.socket.terminate();
  }
}
