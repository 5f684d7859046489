import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { LinuxRunnerError } from '../errors';
import type { Frame, InputSource } from './input-source';

const IMAGE_FILE = /\.(jpe?g|png)$/i;

/**
 * `images:<dir>`: every JPEG and PNG in the directory, in name order, once; `images-loop:<dir>` starts over
 * after the last one (re-reading the directory, so images added meanwhile are picked up).
 */
export class ImageDirectorySource implements InputSource<Frame> {
  private names: string[] = [];
  private index = 0;
  private stopped = false;

  constructor(
    private readonly directory: string,
    private readonly loop: boolean,
  ) {}

  get description(): string {
    return `${this.loop ? 'images-loop' : 'images'}:${this.directory}`;
  }

  async next(): Promise<Frame | undefined> {
    if (this.stopped) return undefined;
    if (this.index >= this.names.length) {
      if (this.names.length > 0 && !this.loop) return undefined;
      this.names = await this.list();
      this.index = 0;
    }
    const name = this.names[this.index++];
    const file = path.join(this.directory, name);
    try {
      return { data: await fs.readFile(file), name };
    } catch (err) {
      throw new LinuxRunnerError('INPUT_FAILED', `cannot read image ${file}: ${(err as Error).message}`, {
        context: { input: this.description },
        cause: err,
      });
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
  }

  private async list(): Promise<string[]> {
    let entries;
    try {
      entries = await fs.readdir(this.directory, { withFileTypes: true });
    } catch (err) {
      throw new LinuxRunnerError(
        'INPUT_FAILED',
        `cannot list image directory ${this.directory}: ${(err as Error).message}`,
        {
          context: { input: this.description },
          cause: err,
        },
      );
    }
    const names = entries.filter((e) => e.isFile() && IMAGE_FILE.test(e.name)).map((e) => e.name);
    if (names.length === 0) {
      throw new LinuxRunnerError('INPUT_FAILED', `no JPEG or PNG images in ${this.directory}`, {
        context: { input: this.description },
      });
    }
    // Code-point order: the same on every machine, whatever the locale.
    return names.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }
}
