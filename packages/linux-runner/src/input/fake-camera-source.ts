import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { LinuxRunnerError } from '../errors';
import type { Frame, InputSource } from './input-source';

/**
 * `--fake-camera <image>`: the same image, read once, as every frame of a camera that never ends (what
 * edge-impulse-linux's FakeCamera does), so a device without a camera runs the whole path.
 */
export class FakeCameraSource implements InputSource<Frame> {
  private image: Promise<Buffer> | undefined;
  private frames = 0;
  private stopped = false;

  constructor(private readonly file: string) {}

  get description(): string {
    return `fake camera ${this.file}`;
  }

  async next(): Promise<Frame | undefined> {
    if (this.stopped) return undefined;
    this.image ??= fs.readFile(this.file).catch((err: Error) => {
      throw new LinuxRunnerError('INPUT_FAILED', `cannot read the --fake-camera image ${this.file}: ${err.message}`, {
        context: { input: this.description },
        cause: err,
      });
    });
    return { data: await this.image, name: `${path.basename(this.file)}#${++this.frames}` };
  }

  async stop(): Promise<void> {
    this.stopped = true;
  }
}
