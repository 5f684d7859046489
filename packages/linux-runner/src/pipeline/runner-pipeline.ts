import {
  retryDelay,
  describeExit,
  EXIT_FAILURE,
  EXIT_OK,
  type ComponentPipeline,
  type HostServices,
  ProblemReporter,
  type InferenceRequest,
  type ModelInfo,
} from '@ei-gg/core';
import { ImageClassifier, type LinuxImpulseRunner } from 'edge-impulse-linux';
import { LinuxRunnerError } from '../errors';
import { openInput, type ModelInput } from '../input/open-input';
import type { AudioWindow, Frame, InputSource } from '../input/input-source';
import { modelInfoFromHello } from '../model/model-details';
import { ModelSession } from '../model/model-session';
import type { ImpulseRunnerOptions } from './one-impulse-runner';
import { runnerSettings, type RunnerSettings } from '../settings/runner-settings';
import { resolveWebToken } from '../web/web-token';
import { fromLinuxRunnerResponse } from './from-linux-runner';
import { InferenceEvents, modelInputImage } from './inference-events';
import type { AttachToRunner, RunnerAttachment, RunnerContext } from './runner-attachment';

export interface RunnerPipelineOptions {
  /** Where the model file comes from (the local file, or a download). */
  resolveModelFile: (services: HostServices<'linux-runner'>, settings: RunnerSettings) => Promise<string>;
  /** First model restart delay after a crash; doubles per failed attempt up to `sleep_time_sec`. */
  restartBaseMs: number;
  /** The component's LinuxImpulseRunner for these options (see oneImpulseRunner). */
  impulseRunner: (modelFile: string, options: ImpulseRunnerOptions) => LinuxImpulseRunner;
  /** Parts started with the model and input (preview page, HTTP API), stopped before them. */
  attachments?: readonly AttachToRunner[];
}

/**
 * The linux-runner's pipeline: starts the model, opens the input that fits its sensor, and classifies one
 * item at a time into the shared inference relay (metrics, filter, backoff, payload, caches), handing it the
 * result and, when it wants one, the frame. A model process that dies is restarted with back-off, each attempt
 * reported on the command output topic; the input is kept, so a directory or video continues where it was. When the
 * input ends the component asks the host to stop (non-zero exit when the input failed), or with `ei_shutdown_behavior: wait_for_restart` waits for a `restart` command. In triggered mode the model and
 * input stay open but an item is taken and classified only per request (the camera's newest frame, the next
 * image or video frame); a request that cannot be served is answered with an error.
 */
export class RunnerPipeline implements ComponentPipeline {
  private session: ModelSession | undefined;
  private model: ModelInfo | undefined;
  private input: ModelInput | undefined;
  private loop: Promise<void> | undefined;
  private stopping = false;
  private crashes = 0;
  /** The model restart under way, whoever noticed the dead model first: the input loop or the exit watch. */
  private restarting: Promise<boolean> | undefined;
  /** The input loop is classifying: a model exit then fails its request, and the loop restarts the model. */
  private classifying = false;
  private wakeSleeper: (() => void) | undefined;
  private readonly stopped = new AbortController();
  private readonly log;
  /** A model that keeps failing, an input that fails: logged once plus a count, replied once per distinct message. */
  private readonly modelProblems: ProblemReporter;
  private readonly inputProblems: ProblemReporter;
  private readonly events: InferenceEvents;
  private settings: RunnerSettings | undefined;
  private attached: RunnerAttachment[] = [];

  constructor(
    private readonly services: HostServices<'linux-runner'>,
    private readonly options: RunnerPipelineOptions,
  ) {
    this.log = services.context.logger.child({ part: 'runner' });
    const reporter = (subject: string) =>
      new ProblemReporter({ commands: services.commands, logger: this.log, source: 'linux-runner', subject });
    this.modelProblems = reporter('model');
    this.inputProblems = reporter('input');
    this.events = new InferenceEvents(this.log);
  }

  async start(): Promise<void> {
    const settings = (this.settings = runnerSettings(this.services.config.current));
    const modelFile = await this.options.resolveModelFile(this.services, settings);
    this.session = await this.openSession(modelFile);
    try {
      this.input = await openInput(settings.input, this.session.info, this.services.context.logger, settings.verbose);
      await this.attach(this.settings);
    } catch (err) {
      await this.stopAttached();
      await this.input?.source.stop();
      await this.session.stop();
      throw err;
    }
    this.log.info('running', { input: this.input.source.description, model: this.model });
    this.loop =
      this.input.kind === 'image'
        ? this.run(this.input.source, (frame, request) => this.classifyFrame(frame, request))
        : this.run(this.input.source, (window, request) => this.classifyAudio(window, request));
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.stopped.abort();
    this.wakeSleeper?.();
    await this.stopAttached();
    await this.input?.source.stop();
    await this.loop;
    await this.session?.stop();
    this.modelProblems.close();
    this.inputProblems.close();
  }

  modelInfo(): ModelInfo | undefined {
    return this.model;
  }

  private async openSession(modelFile: string): Promise<ModelSession> {
    const { verbose, model, resizeMode } = this.settings!;
    const session = await ModelSession.open(
      modelFile,
      this.options.impulseRunner(modelFile, { verbose, shmBehavior: model.shm }),
      this.services.context.logger,
      { verbose },
    );
    // `--force-resize-mode`, as edge-impulse-linux-runner applies it: as if the model had said so (resizing
    // reads it from here, and get_model_info reports it).
    if (resizeMode) session.info.modelParameters.image_resize_mode = resizeMode;
    try {
      // Also after a restart: a new model process starts from its built-in thresholds.
      for (const { blockId, key, value } of this.settings!.modelThresholds)
        await session.setThreshold(blockId, key, value);
    } catch (err) {
      await session.stop();
      throw err;
    }
    this.model = modelInfoFromHello(session.info, modelFile);
    this.watchExit(session);
    return session;
  }

  /**
   * A model that dies between items is restarted at once, not when the loop next needs it: in triggered mode the
   * loop may wait for hours, and the HTTP API shares the model meanwhile.
   */
  private watchExit(session: ModelSession): void {
    void session.exited.then(async (exit) => {
      // A restart under way may be the one adopting this session: judge once it is done.
      await this.restarting;
      if (this.stopping || this.session !== session || this.restarting || this.classifying) return;
      const failure = new LinuxRunnerError('MODEL_EXITED', `model process exited (${describeExit(exit)})`, {
        context: { modelFile: session.modelFile, exit },
      });
      void this.restartOnce(failure);
    });
  }

  private restartOnce(failure: Error): Promise<boolean> {
    this.restarting ??= this.restartModel(failure).finally(() => (this.restarting = undefined));
    return this.restarting;
  }

  private async attach(settings: RunnerSettings): Promise<void> {
    let token: Promise<string> | undefined;
    const context: RunnerContext = {
      services: this.services,
      settings,
      model: () => (this.session?.running ? this.session : undefined),
      events: this.events,
      logger: this.log,
      webToken: () => (token ??= resolveWebToken(this.services)),
    };
    for (const attachTo of this.options.attachments ?? []) {
      const attachment = await attachTo(context);
      if (attachment) this.attached.push(attachment);
    }
  }

  private async stopAttached(): Promise<void> {
    for (const attachment of this.attached.splice(0).reverse()) {
      await attachment.stop().catch((err: unknown) => this.log.error('stopping a runner part failed', { err }));
    }
  }

  private async run<T>(
    source: InputSource<T>,
    classify: (item: T, request?: InferenceRequest) => Promise<void>,
  ): Promise<void> {
    const { requests } = this.services;
    const triggered = this.services.config.current.inference_mode === 'triggered';
    for (;;) {
      let request: InferenceRequest | undefined;
      if (triggered) {
        request = await requests.next(this.stopped.signal);
        if (!request) return;
      }
      let item: T | undefined;
      try {
        item = await source.next();
      } catch (err) {
        if (request)
          requests.fail(
            request,
            this.stopping ? 'STOPPED' : 'INPUT_ENDED',
            `input ${source.description} failed: ${(err as Error).message}`,
          );
        if (this.stopping) return;
        await this.inputProblems.report(`input ${source.description} failed: ${(err as Error).message}`, err);
        return this.inputEnded(source, err as Error);
      }
      if (this.stopping || item === undefined) {
        if (request)
          requests.fail(
            request,
            this.stopping ? 'STOPPED' : 'INPUT_ENDED',
            this.stopping ? 'the pipeline stopped' : `input ${source.description} ended`,
          );
        if (this.stopping) return;
        return this.inputEnded(source);
      }
      try {
        if (this.restarting && !(await this.restarting)) return;
        this.classifying = true;
        await classify(item, request);
        this.classifying = false;
        this.crashes = 0;
      } catch (err) {
        this.classifying = false;
        if (request) requests.fail(request, 'INFERENCE_FAILED', `inference failed: ${(err as Error).message}`);
        if (this.stopping) return;
        const dead = !this.session?.running || (err instanceof LinuxRunnerError && err.code === 'MODEL_TIMEOUT');
        if (!dead) {
          // The model is alive: a bad answer (ModelOutputError, an error response). Reported; the next item goes on.
          await this.modelProblems.report(`inference failed: ${(err as Error).message}`, err);
        } else if (!(await this.restartOnce(err as Error))) {
          return;
        }
      }
    }
  }

  private async classifyFrame(frame: Frame, request?: InferenceRequest): Promise<void> {
    const session = this.session!;
    let resized: Awaited<ReturnType<typeof ImageClassifier.resizeImage>>;
    try {
      // The same decoding and resizing (image_resize_mode) as edge-impulse-linux's ImageClassifier.
      resized = await ImageClassifier.resizeImage(session.info, frame.data);
    } catch (err) {
      this.log.warn('skipping an image that cannot be decoded', { frame: frame.name, err });
      if (request)
        this.services.requests.fail(
          request,
          'INFERENCE_FAILED',
          `image ${frame.name} cannot be decoded: ${(err as Error).message}`,
        );
      return;
    }
    const started = performance.now();
    const response = await session.classify(resized.features);
    const timeMs = performance.now() - started;
    const result = fromLinuxRunnerResponse(response);
    const { image_input_width: width, image_input_height: height } = session.info.modelParameters;
    const image = modelInputImage(resized.img, width, height);
    const jpeg = this.services.inference.wantsImage() ? await image.jpeg() : undefined;
    await this.services.inference.process(result, jpeg, request);
    if (this.events.watched) this.events.emit({ result, response, timeMs, image, frame });
  }

  private async classifyAudio(window: AudioWindow, request?: InferenceRequest): Promise<void> {
    const session = this.session!;
    const { use_continuous_mode: continuous, slice_size: sliceSize } = session.info.modelParameters;
    // Continuous audio models classify the newest slice; a request needs the whole window to stand alone.
    const started = performance.now();
    const response =
      continuous && sliceSize && !request
        ? await session.classify(window.slice, true)
        : await session.classify(window.samples);
    const timeMs = performance.now() - started;
    const result = fromLinuxRunnerResponse(response);
    await this.services.inference.process(result, undefined, request);
    if (this.events.watched) this.events.emit({ result, response, timeMs });
  }

  /** Restarts a dead model with back-off until it runs again (true) or the pipeline stops (false). */
  private async restartModel(failure: Error): Promise<boolean> {
    const modelFile = this.session!.modelFile;
    let reason = failure;
    for (;;) {
      await this.session?.stop();
      const attempt = ++this.crashes;
      const delayMs = Math.round(
        retryDelay(attempt - 1, this.options.restartBaseMs, this.services.config.current.sleep_time_sec * 1000),
      );
      await this.modelProblems.report(`model failed: ${reason.message}; restarting it in ${delayMs} ms`, reason, {
        attempt,
        restart_in_ms: delayMs,
      });
      if (!(await this.sleep(delayMs))) return false;
      try {
        this.session = await this.openSession(modelFile);
        this.modelProblems.clear();
        await this.services.commands.reply({ result: { status: 'model_restarted', attempt, ts: Date.now() } });
        return true;
      } catch (err) {
        if (this.stopping) return false;
        reason = err as Error;
      }
    }
  }

  private async inputEnded(source: InputSource<unknown>, failure?: Error): Promise<void> {
    const waiting = this.services.config.current.ei_shutdown_behavior === 'wait_for_restart';
    this.log.info('input ended', { input: source.description, waiting_for_restart: waiting });
    await this.services.commands.reply({
      result: {
        status: 'input_ended',
        input: source.description,
        ...(waiting ? { waiting_for: 'restart' } : {}),
        ts: Date.now(),
      },
    });
    if (!waiting) this.services.requestStop(`input ${source.description} ended`, failure ? EXIT_FAILURE : EXIT_OK);
  }

  /** Resolves true after `ms`, or false at once when the pipeline stops. */
  private sleep(ms: number): Promise<boolean> {
    if (this.stopping) return Promise.resolve(false);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(true), ms);
      this.wakeSleeper = () => {
        clearTimeout(timer);
        resolve(false);
      };
    });
  }
}
