import { existsSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { MODEL_SOCKET_DIR_PREFIX, MODEL_SOCKET_NAME, modelSocketRoot, type Logger } from '@ei-gg/core';
import type { LinuxImpulseRunner, ModelInformation } from 'edge-impulse-linux';
import { LinuxRunnerError } from '../errors';
import { describeExit, SupervisedChild, type ChildExit } from '../process/supervised-child';

export type ClassifyResponse = Awaited<ReturnType<LinuxImpulseRunner['classify']>>;

/** A real model loads in well under this; a .eim that never opens its socket is broken. */
const SOCKET_WAIT_MS = 30_000;
/** Real models clean up their shared memory on SIGINT (what edge-impulse-linux sends); then SIGKILL. */
const STOP_GRACE_MS = 3_000;
/** Per request; a model that takes longer is considered hung and is restarted. */
const REQUEST_TIMEOUT_MS = 60_000;

/**
 * One running model: the `.eim` process, started here as `<eim> <socket path>`, and edge-impulse-linux's
 * `LinuxImpulseRunner` attached to its socket (the runner connects to an existing socket instead of spawning
 * when given one). Owning the process gives what the runner does not: its exit as an event, so a crash fails
 * the request in flight at once instead of after the runner's 60 s timeout, and a stop that always kills it.
 */
export class ModelSession {
  private constructor(
    private readonly child: SupervisedChild,
    private readonly runner: LinuxImpulseRunner,
    private readonly socketDir: string,
    readonly modelFile: string,
    readonly info: ModelInformation,
  ) {}

  /** Starts the model and says hello; the runner is reused across sessions (it registers a process 'exit' hook each time one is made). */
  static async open(modelFile: string, runner: LinuxImpulseRunner, logger: Logger): Promise<ModelSession> {
    // RAM-backed when available, as edge-impulse-linux does (no SD card wear).
    const socketDir = await fs.mkdtemp(path.join(modelSocketRoot(), MODEL_SOCKET_DIR_PREFIX));
    const socketPath = path.join(socketDir, MODEL_SOCKET_NAME);
    let child: SupervisedChild | undefined;
    try {
      child = await SupervisedChild.spawn(modelFile, [socketPath], { name: 'model', logger, stdout: 'log' }).catch((err: Error) => {
        throw new LinuxRunnerError('MODEL_START_FAILED', `cannot run model ${modelFile}: ${err.message}`, { context: { modelFile }, cause: err });
      });
      await untilExit(child, waitForFile(socketPath, SOCKET_WAIT_MS, child), modelFile, 'opening its socket');
      const info = await untilExit(child, runner.init(socketPath), modelFile, 'answering hello');
      logger.info('model started', { modelFile, pid: child.pid, project: info.project, model_type: info.modelParameters.model_type });
      return new ModelSession(child, runner, socketDir, modelFile, info);
    } catch (err) {
      await child?.stop(STOP_GRACE_MS, 'SIGINT');
      await fs.rm(socketDir, { recursive: true, force: true });
      if (err instanceof LinuxRunnerError) throw err;
      throw new LinuxRunnerError('MODEL_START_FAILED', `model ${modelFile} did not start: ${reason(err)}`, {
        context: { modelFile, output: child?.output() },
        cause: err,
      });
    }
  }

  get exited(): Promise<ChildExit> {
    return this.child.exited;
  }

  get running(): boolean {
    return this.child.running;
  }

  /** Classifies one window of features; continuous mode for audio models that ask for it. */
  async classify(features: number[], continuous = false): Promise<ClassifyResponse> {
    const request = continuous ? this.runner.classifyContinuous(features, REQUEST_TIMEOUT_MS) : this.runner.classify(features, REQUEST_TIMEOUT_MS);
    try {
      return await untilExit(this.child, request, this.modelFile, 'classifying');
    } catch (err) {
      if (err instanceof LinuxRunnerError) throw err;
      // The runner rejects a request it got no answer to with this text (a string, not an Error).
      const hung = reason(err).startsWith('No response within');
      throw new LinuxRunnerError(hung ? 'MODEL_TIMEOUT' : 'MODEL_REQUEST_FAILED', `model ${this.modelFile} failed to classify: ${reason(err)}`, {
        context: { modelFile: this.modelFile },
        cause: err,
      });
    }
  }

  async stop(): Promise<void> {
    await this.child.stop(STOP_GRACE_MS, 'SIGINT');
    await fs.rm(this.socketDir, { recursive: true, force: true });
  }
}

/** `work`, unless the model process exits first: then a MODEL_EXITED error with the model's last output. */
function untilExit<T>(child: SupervisedChild, work: Promise<T>, modelFile: string, doing: string): Promise<T> {
  // The runner's own timeout rejects `work` much later; that rejection has nowhere to go.
  work.catch(() => undefined);
  const exited = child.exited.then((exit): never => {
    throw new LinuxRunnerError('MODEL_EXITED', `model process exited (${describeExit(exit)}) while ${doing}`, {
      context: { modelFile, exit, output: child.output() },
    });
  });
  exited.catch(() => undefined);
  return Promise.race([work, exited]);
}

async function waitForFile(file: string, timeoutMs: number, child: SupervisedChild): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!existsSync(file) && child.running) {
    if (Date.now() > deadline) throw new Error(`no socket at ${file} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** edge-impulse-linux rejects with strings as often as with Errors. */
function reason(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
