import { once } from 'node:events';
import { describeExit, ProcessStartError, SupervisedProcess, type Logger, type ProcessExit } from '@ei-gg/core';
import { LinuxRunnerError } from '../errors';
import type { InputSource } from './input-source';
import { PullQueue } from './pull-queue';

/** Turns the pipeline's raw output into items (JPEG frames, audio windows). */
export interface StreamDecoder<T> {
  push(chunk: Buffer): T[];
}

export interface GstreamerSourceOptions<T> {
  /** gst-launch-1.0 elements up to the sink (`fdsink fd=1` is appended). */
  elements: readonly string[];
  description: string;
  keep: 'all' | 'latest';
  decoder: StreamDecoder<T>;
  logger: Logger;
  /** GStreamer's output at info level instead of debug (`--verbose`). */
  verbose?: boolean;
}

const STOP_GRACE_MS = 2_000;

/**
 * An input read from a `gst-launch-1.0` pipeline writing to stdout. `keep: 'all'` pauses the pipe while the
 * model is busy (GStreamer then blocks: every frame of a video file is classified); `latest` keeps reading
 * and offers only the newest item. The pipeline ending cleanly (end of stream) ends the input; an error ends
 * it with a LinuxRunnerError naming what failed (a busy camera names its device).
 */
export class GstreamerSource<T> implements InputSource<T> {
  private stopping = false;

  private constructor(
    private readonly child: SupervisedProcess,
    private readonly queue: PullQueue<T>,
    readonly description: string,
  ) {}

  static async start<T>(options: GstreamerSourceOptions<T>): Promise<GstreamerSource<T>> {
    const { elements, description, keep, decoder, logger, verbose } = options;
    const args = ['-q', ...elements, '!', 'fdsink', 'fd=1', 'sync=false'];
    logger.info('starting GStreamer', { input: description, pipeline: args.join(' ') });
    const log = logger.child({ part: 'gstreamer' });
    const child = await SupervisedProcess.start('gst-launch-1.0', args, {
      name: 'gst-launch-1.0',
      stdout: 'data',
      onLine: (_stream, line) => (verbose ? log.info(line) : log.debug(line)),
    }).catch((err: Error) => {
      const hint =
        err instanceof ProcessStartError && err.errno === 'ENOENT'
          ? ': gst-launch-1.0 not found (Debian packages gstreamer1.0-tools, -plugins-base, -plugins-good)'
          : `: ${err.message}`;
      throw new LinuxRunnerError('INPUT_FAILED', `cannot start GStreamer for ${description}${hint}`, {
        context: { input: description },
        cause: err,
      });
    });
    const stdout = child.stdout;
    const queue = new PullQueue<T>(keep, (backlogged) => (backlogged ? stdout.pause() : stdout.resume()));
    const source = new GstreamerSource(child, queue, description);
    stdout.on('data', (chunk: Buffer) => decoder.push(chunk).forEach((item) => queue.push(item)));
    // The exit can come before the last bytes are read: end the input once both happened.
    void Promise.all([child.exited, once(stdout, 'close')]).then(([exit]) => source.ended(exit));
    return source;
  }

  next(): Promise<T | undefined> {
    return this.queue.next();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.queue.close();
    await this.child.stop(STOP_GRACE_MS);
  }

  private ended(exit: ProcessExit): void {
    if (this.stopping || exit.code === 0) return this.queue.end();
    this.queue.end(gstreamerError(exit, this.child.output(), this.description));
  }
}

/** The useful part of gst-launch's error output, with the cases users hit named plainly. */
export function gstreamerError(exit: ProcessExit, output: string, description: string): LinuxRunnerError {
  const context = { input: description, exit, output };
  const busy = /Device '([^']+)' is busy/.exec(output);
  if (busy) {
    return new LinuxRunnerError(
      'CAMERA_BUSY',
      `camera ${busy[1]} is busy: another process holds it (for example the EdgeImpulseLinuxServiceComponent); stop that process or use another camera`,
      { context: { ...context, device: busy[1] } },
    );
  }
  const missing = /Cannot identify device '([^']+)'/.exec(output);
  if (missing)
    return new LinuxRunnerError('INPUT_FAILED', `camera ${missing[1]} not found`, {
      context: { ...context, device: missing[1] },
    });
  const firstError = output
    .split('\n')
    .find((line) => line.startsWith('ERROR:') || line.startsWith('WARNING: erroneous pipeline'));
  return new LinuxRunnerError(
    'INPUT_FAILED',
    `${description}: GStreamer failed (${describeExit(exit)})${firstError ? `: ${firstError}` : ''}`,
    { context },
  );
}
