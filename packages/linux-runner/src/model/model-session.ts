import { existsSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import {
  describeExit,
  MODEL_SOCKET_DIR_PREFIX,
  MODEL_SOCKET_NAME,
  modelSocketRoot,
  SupervisedProcess,
  type Logger,
  type ProcessExit,
} from '@ei-gg/core';
import type { LinuxImpulseRunner, ModelInformation } from 'edge-impulse-linux';
import { LinuxRunnerError } from '../errors';

export type ClassifyResponse = Awaited<ReturnType<LinuxImpulseRunner['classify']>>;
/** One learn block's thresholds as the model's hello lists them: `{id, type, min_score?, ...}`. */
export type LearnBlockThreshold = NonNullable<ModelInformation['modelParameters']['thresholds']>[number];

/** A real model loads in well under this; a .eim that never opens its socket is broken. */
const SOCKET_WAIT_MS = 30_000;
/** Real models clean up their shared memory on SIGINT (what edge-impulse-linux sends); then SIGKILL. */
const STOP_GRACE_MS = 3_000;
/**
 * A model that takes HUNG_FACTOR times its slowest recent answer (within these bounds) is hung and is restarted.
 * Adaptive rather than a fixed minute: a hang is noticed in seconds, and edge-impulse-linux keeps every request
 * reachable until its deadline's timer fires (~2 KB each), so a short deadline also keeps far less memory.
 */
const MIN_REQUEST_TIMEOUT_MS = 10_000;
const MAX_REQUEST_TIMEOUT_MS = 60_000;
const HUNG_FACTOR = 20;
/** How many answers "recent" covers. */
const RECENT_ANSWERS = 64;

/**
 * One running model: the `.eim` process, started here as `<eim> <socket path>`, and edge-impulse-linux's
 * `LinuxImpulseRunner` attached to its socket (the runner connects to an existing socket instead of spawning
 * when given one). Owning the process gives what the runner does not: its exit as an event, so a crash fails
 * the request in flight at once instead of after the runner's 60 s timeout, and a stop that always kills it.
 */
export class ModelSession {
  /** How long the last RECENT_ANSWERS classifications took, ms (a ring). */
  private readonly recentMs: number[] = [];
  private answers = 0;
  /** The last request queued: requests run one at a time (see `exclusive`). */
  private tail: Promise<unknown> = Promise.resolve();
  /** Learn block thresholds as the model has them now: from hello, then each accepted `setThreshold`. */
  readonly thresholds: LearnBlockThreshold[];

  private constructor(
    private readonly child: SupervisedProcess,
    private readonly runner: LinuxImpulseRunner,
    private readonly socketDir: string,
    readonly modelFile: string,
    readonly info: ModelInformation,
  ) {
    this.thresholds = (info.modelParameters.thresholds ?? []).map((block) => ({ ...block }));
  }

  /**
   * Starts the model and says hello; the runner is reused across sessions (it registers a process 'exit' hook each
   * time one is made). `verbose`: the model's output is logged at info level instead of debug.
   */
  static async open(
    modelFile: string,
    runner: LinuxImpulseRunner,
    logger: Logger,
    { verbose = false }: { verbose?: boolean } = {},
  ): Promise<ModelSession> {
    // RAM-backed when available, as edge-impulse-linux does (no SD card wear).
    const socketDir = await fs.mkdtemp(path.join(modelSocketRoot(), MODEL_SOCKET_DIR_PREFIX));
    const socketPath = path.join(socketDir, MODEL_SOCKET_NAME);
    let child: SupervisedProcess | undefined;
    try {
      const log = logger.child({ part: 'model' });
      child = await SupervisedProcess.start(modelFile, [socketPath], {
        name: 'the model',
        stdout: 'output',
        onLine: (_stream, line) => (verbose ? log.info(line) : log.debug(line)),
      }).catch((err: Error) => {
        throw new LinuxRunnerError('MODEL_START_FAILED', `cannot run model ${modelFile}: ${err.message}`, {
          context: { modelFile },
          cause: err,
        });
      });
      const socketDeadline = performance.now() + SOCKET_WAIT_MS;
      await untilExit(child, waitForFile(socketPath, socketDeadline, child), modelFile, 'opening its socket');
      const attach = initWhenListening(runner, socketPath, socketDeadline, child);
      const info = await untilExit(child, attach, modelFile, 'answering hello');
      logger.info('model started', {
        modelFile,
        pid: child.pid,
        project: info.project,
        model_type: info.modelParameters.model_type,
      });
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

  get exited(): Promise<ProcessExit> {
    return this.child.exited;
  }

  get running(): boolean {
    return this.child.running;
  }

  /**
   * Classifies one window of features; continuous mode for audio models that ask for it. Requests from several
   * callers (the input loop, the HTTP API) queue here and reach the model one at a time: with `features_shm` the
   * runner writes every request's features into the same shared-memory segment.
   */
  classify(features: number[], continuous = false): Promise<ClassifyResponse> {
    return this.exclusive(() => this.classifyNow(features, continuous));
  }

  /**
   * Changes one threshold of a learn block (`{"set_threshold":{"id":5,"min_score":0.6}}`), as the model's hello
   * listed it; a block or key the model does not have is refused here, naming what it has.
   */
  setThreshold(blockId: number, key: string, value: number): Promise<void> {
    const block = this.thresholds.find((b) => b.id === blockId);
    const known = this.thresholds.map(
      (b) =>
        `${b.id} (${Object.keys(b)
          .filter((k) => k !== 'id' && k !== 'type')
          .join(', ')})`,
    );
    if (!block || key === 'id' || key === 'type' || typeof block[key] !== 'number' || !Number.isFinite(value)) {
      return Promise.reject(
        new LinuxRunnerError(
          'MODEL_THRESHOLD_INVALID',
          `model ${this.modelFile} has no threshold ${key} on learn block ${blockId}` +
            (known.length ? `; it has: ${known.join('; ')}` : '; it lists no learn block thresholds'),
          { context: { modelFile: this.modelFile, blockId, key, value } },
        ),
      );
    }
    return this.exclusive(async () => {
      const answer = await untilExit(
        this.child,
        this.runner.setLearnBlockThreshold({ id: blockId, [key]: value }),
        this.modelFile,
        'setting a threshold',
      );
      if (!answer.success)
        throw new LinuxRunnerError(
          'MODEL_THRESHOLD_INVALID',
          `model ${this.modelFile} refused the threshold: ${answer.error}`,
          {
            context: { modelFile: this.modelFile, blockId, key, value },
          },
        );
      block[key] = value;
    });
  }

  /** Runs `work` once every request queued before it has settled. */
  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.tail.then(work, work);
    // Settles with nothing: keeping the answer would hold the last response for as long as the session lives.
    this.tail = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  private async classifyNow(features: number[], continuous: boolean): Promise<ClassifyResponse> {
    // edge-impulse-linux 1.25.2's send() starts a timer per request that it never clears, and the timer keeps
    // the request, with the array passed in, reachable until it fires (the request's deadline later): at 150
    // inferences/s of a 64x64 model, 9,000 arrays of 32 KB, 300 MB. The runner gets a copy (the caller's array
    // may be reused, e.g. an audio window), emptied once the answer is in, which leaves ~1 KB per request.
    const sent = features.slice();
    const timeoutMs = this.requestTimeoutMs();
    const started = performance.now();
    const request = continuous
      ? this.runner.classifyContinuous(sent, timeoutMs)
      : this.runner.classify(sent, timeoutMs);
    try {
      const response = await untilExit(this.child, request, this.modelFile, 'classifying');
      this.recentMs[this.answers++ % RECENT_ANSWERS] = performance.now() - started;
      return response;
    } catch (err) {
      if (err instanceof LinuxRunnerError) throw err;
      // The runner rejects a request it got no answer to with this text (a string, not an Error).
      const hung = reason(err).startsWith('No response within');
      throw new LinuxRunnerError(
        hung ? 'MODEL_TIMEOUT' : 'MODEL_REQUEST_FAILED',
        `model ${this.modelFile} failed to classify: ${reason(err)}`,
        {
          context: { modelFile: this.modelFile },
          cause: err,
        },
      );
    } finally {
      sent.length = 0;
    }
  }

  /** The deadline of the next request: the maximum until the model has answered once, whole seconds. */
  requestTimeoutMs(): number {
    if (this.recentMs.length === 0) return MAX_REQUEST_TIMEOUT_MS;
    const adaptive = Math.ceil((HUNG_FACTOR * Math.max(...this.recentMs)) / 1000) * 1000;
    return Math.min(MAX_REQUEST_TIMEOUT_MS, Math.max(MIN_REQUEST_TIMEOUT_MS, adaptive));
  }

  async stop(): Promise<void> {
    await this.child.stop(STOP_GRACE_MS, 'SIGINT');
    await fs.rm(this.socketDir, { recursive: true, force: true });
  }
}

/**
 * `work`, unless the model process exits first: then a MODEL_EXITED error with the model's last output. Called
 * per request, so it must not chain onto `child.exited` (pending for the model's whole life): each `.then()`
 * there stayed attached until the model exited, with the request's answer, about 1.3 KB per inference.
 */
function untilExit<T>(child: SupervisedProcess, work: Promise<T>, modelFile: string, doing: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const unsubscribe = child.onExit((exit) => {
      reject(
        new LinuxRunnerError('MODEL_EXITED', `model process exited (${describeExit(exit)}) while ${doing}`, {
          context: { modelFile, exit, output: child.output() },
        }),
      );
    });
    // Also handles the runner's own timeout, which rejects `work` long after the model exited.
    work.then(
      (value) => {
        unsubscribe();
        resolve(value);
      },
      (err: unknown) => {
        unsubscribe();
        reject(err);
      },
    );
  });
}

async function waitForFile(file: string, deadline: number, child: SupervisedProcess): Promise<void> {
  while (!existsSync(file) && child.running) {
    if (performance.now() > deadline) throw new Error(`no socket at ${file} after ${SOCKET_WAIT_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * Attaches the runner and says hello. The socket file appears when the model binds it, a moment before it listens:
 * a connection refused in between is tried again until the deadline. (Probing the socket otherwise is no option:
 * a real `.eim` serves one connection and exits when it closes.)
 */
async function initWhenListening(
  runner: LinuxImpulseRunner,
  socketPath: string,
  deadline: number,
  child: SupervisedProcess,
): Promise<ModelInformation> {
  for (;;) {
    try {
      return await runner.init(socketPath);
    } catch (err) {
      // Not instanceof: Node's errors may come from another realm (jest's, for one).
      const refused = typeof err === 'object' && err !== null && 'code' in err && err.code === 'ECONNREFUSED';
      if (!refused || !child.running || performance.now() > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

/** edge-impulse-linux rejects with strings as often as with Errors. */
function reason(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
