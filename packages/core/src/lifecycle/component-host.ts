import { randomUUID } from 'node:crypto';
import { Backoff } from '../backoff';
import type { ComponentContext } from '../cli/run-component-cli';
import { CommandIntake } from '../commands/command-intake';
import { startedReply } from '../commands/command-replies';
import { CommandRouter, type CacheControl, type ModelInfo } from '../commands/command-router';
import type { ComponentKind } from '../component-kind';
import { COMPONENTS } from '../component-kind';
import type { LiveConfiguration } from '../config/live-configuration';
import type { ComponentConfigs } from '../config/parameters-schema';
import { MetricsAccumulator } from '../metrics/metrics-accumulator';
import { InferencePipeline, type InferenceExtras } from '../pipeline/inference-pipeline';
import { localResultsPublisher, localResultsTopic } from '../pipeline/local-results';
import { Publisher } from '../publisher/publisher';
import { ThresholdFilter } from '../threshold-filter';
import { OnDemandInference, type TriggerSettings } from '../triggers/on-demand-inference';
import type { InferenceRequests } from '../triggers/inference-requests';
import { PARAMETER_SHAPES } from '../config/parameters-schema';
import { NucleusUnsupportedError } from '../greengrass/nucleus';
import { DeviceShadow } from '../shadow/device-shadow';
import { SHADOW_NAME_PREFIX } from '../shadow/shadow-topics';
import { PRODUCT_VERSION } from '../version';
import type { Transport } from '../transport/transport';
import { componentIdentity, componentStatus } from './component-status';
import { LockFile } from './lock-file';

/** What a component plugs into the host: its input and model, started and stopped as one unit. */
export interface ComponentPipeline {
  start(): Promise<void>;
  stop(): Promise<void>;
  modelInfo(): ModelInfo | undefined;
}

/** Shared services a component pipeline uses. */
export interface HostServices<K extends ComponentKind> {
  context: ComponentContext<K>;
  config: LiveConfiguration<K>;
  publisher: Publisher;
  inference: InferencePipeline;
  commands: CommandIntake;
  metrics: MetricsAccumulator;
  /** Triggered mode's requests, served one at a time by the pipeline (runners only). */
  requests: InferenceRequests;
}

export interface ComponentHostOptions<K extends ComponentKind> {
  context: ComponentContext<K>;
  transport: Transport;
  /** Greengrass lifecycle reporting, when running under the nucleus. */
  reportState?: (state: 'RUNNING' | 'ERRORED') => Promise<void>;
  createPipeline: (services: HostServices<K>) => ComponentPipeline;
  caches?: CacheControl;
  /** Keys a live update may change without restarting the pipeline. */
  liveKeys?: readonly string[];
  /** The component's additions to every inference: s3 fields, image publishing, caching (linux-runner). */
  inferenceOptions?: InferenceExtras;
}

type FilterKeys = {
  enable_threshold_limit?: boolean;
  default_threshold?: number;
  threshold_criteria?: ThresholdFilter['config']['criteria'];
};

const LIVE_KEYS = [
  'iotcore_backoff',
  'iotcore_qos',
  'enable_threshold_limit',
  'default_threshold',
  'threshold_criteria',
  'metrics_sleeptime_ms',
  'local_results_topic',
  'inference_request_topic',
  'inference_queue_limit',
  'shadow_name',
];

/**
 * Runs one component: lock, transport, publisher, commands, metrics timer and the component's pipeline;
 * applies live configuration; restarts the pipeline in-process on `restart`; stops everything in order.
 */
export class ComponentHost<K extends ComponentKind> {
  private pipeline: ComponentPipeline | undefined;
  private metricsTimer: NodeJS.Timeout | undefined;
  private readonly lock: LockFile;
  private readonly filter: ThresholdFilter;
  private readonly backoff: Backoff;
  private readonly services: HostServices<K>;
  private readonly unwatch: () => void;
  private readonly config: LiveConfiguration<K>;
  private readonly identity: ReturnType<typeof componentIdentity>;
  private readonly onDemand: OnDemandInference;
  private shadow: DeviceShadow<K> | undefined;
  private lastError: { message: string; ts: number } | undefined;
  private stopCacheReports: (() => void) | undefined;

  constructor(private readonly options: ComponentHostOptions<K>) {
    const { context, transport } = options;
    const config = context.config;
    const current = config.current as ComponentConfigs[K] & FilterKeys;
    this.lock = new LockFile(LockFile.pathFor(current.lock_filename, context.deviceName));
    this.filter = new ThresholdFilter({
      enabled: current.enable_threshold_limit ?? false,
      threshold: current.default_threshold ?? 0.7,
      criteria: current.threshold_criteria ?? 'ge',
    });
    this.backoff = new Backoff(current.iotcore_backoff);
    const metrics = new MetricsAccumulator();
    const publisher = new Publisher({
      transport,
      logger: context.logger.child({ part: 'publisher' }),
      qos: () => config.current.iotcore_qos as 0 | 1,
    });
    const status = () => ({
      componentName: COMPONENTS[context.kind].componentName,
      deviceName: context.deviceName,
      transport: context.transportName,
      model: this.pipeline?.modelInfo(),
      metrics,
      publisher: publisher.counters,
    });
    this.identity = componentIdentity(status());
    const runtime = context.greengrass?.runtime;
    const localTopic = () =>
      localResultsTopic((config.current as { local_results_topic?: string }).local_results_topic, context.topics);
    const runsInferences = 'inference_mode' in PARAMETER_SHAPES[context.kind];
    this.onDemand = new OnDemandInference({
      settings: () => config.current as TriggerSettings,
      topics: context.topics,
      ...(runtime && runsInferences ? { runtime } : {}),
      localResultsTopic: localTopic,
      reply: (reply) => commands.reply(reply),
      logger: context.logger.child({ part: 'requests' }),
    });
    const router = new CommandRouter(
      {
        componentName: COMPONENTS[context.kind].componentName,
        filter: this.filter,
        resetMetrics: () => metrics.reset(),
        restart: () => this.restart(),
        modelInfo: () => this.pipeline?.modelInfo(),
        caches: options.caches,
      },
      {
        get_status: () => {
          const mode = (config.current as TriggerSettings).inference_mode;
          const requests = mode === 'triggered' ? { requests_waiting: this.onDemand.requests.waiting } : {};
          const caches = options.caches?.status?.();
          return {
            status: {
              ...componentStatus(status()),
              ...(mode ? { inference_mode: mode, ...requests } : {}),
              ...(caches ? { caches } : {}),
            },
          };
        },
        ...(runsInferences ? { infer: this.onDemand.inferVerb } : {}),
      },
    );
    const commands = new CommandIntake({
      transport,
      publisher,
      router,
      topics: context.topics,
      logger: context.logger.child({ part: 'commands' }),
      onReply: (reply) => {
        if (typeof reply.result.error === 'string') this.lastError = { message: reply.result.error, ts: Date.now() };
        void this.shadow?.report();
      },
    });
    const inference = new InferencePipeline({
      ...options.inferenceOptions,
      ...(runtime
        ? { publishLocal: localResultsPublisher(runtime, localTopic, context.logger.child({ part: 'local-results' })) }
        : {}),
      publisher,
      topics: context.topics,
      filter: this.filter,
      metrics,
      backoff: this.backoff,
    });
    this.services = { context, config, publisher, inference, commands, metrics, requests: this.onDemand.requests };
    this.config = config;
    this.unwatch = config.onChange((next, previous, changed) => void this.applyConfiguration(next, previous, changed));
  }

  get servicesForTests(): HostServices<K> {
    return this.services;
  }

  /** Starts everything; on failure reports ERRORED, undoes what was started and rethrows. */
  async start(): Promise<void> {
    const { transport, reportState } = this.options;
    try {
      this.lock.acquire();
      await transport.connect();
      await this.services.commands.start();
      this.reportCacheFaults();
      await this.onDemand.start();
      await this.followShadow();
      await this.startPipeline();
      this.armMetrics();
      await reportState?.('RUNNING');
    } catch (err) {
      await reportState?.('ERRORED').catch(() => undefined);
      await this.stop(1000);
      throw err;
    }
  }

  /** `restart` command: the pipeline (model, input, metrics) starts over without the process exiting. */
  async restart(): Promise<void> {
    await this.pipeline?.stop();
    this.pipeline = undefined;
    await this.startPipeline();
  }

  /** Graceful stop: producers first, then in-flight publishes (at most `deadlineMs`), then connections. */
  async stop(deadlineMs: number): Promise<void> {
    const log = this.options.context.logger;
    this.unwatch();
    this.stopCacheReports?.();
    this.stopCacheReports = undefined;
    clearInterval(this.metricsTimer);
    await this.pipeline?.stop().catch((err) => log.error('pipeline did not stop cleanly', { err }));
    this.pipeline = undefined;
    await this.onDemand.stop();
    await this.shadow?.stop().catch((err) => log.error('device shadow did not stop cleanly', { err }));
    await this.services.commands.stop().catch((err) => log.error('command intake did not stop cleanly', { err }));
    if (!(await this.services.publisher.flush(deadlineMs))) {
      log.warn('stopping with publishes still in flight', { pending: this.services.publisher.pending });
    }
    await this.config.close().catch((err) => log.error('configuration watch did not close cleanly', { err }));
    await this.options.transport.close().catch((err) => log.error('transport did not close cleanly', { err }));
    this.lock.release();
  }

  private async startPipeline(): Promise<void> {
    this.services.metrics.reset();
    this.services.inference.resetCount();
    this.pipeline = this.options.createPipeline(this.services);
    await this.pipeline.start();
    await this.services.commands.reply(startedReply(randomUUID(), Date.now(), this.identity));
  }

  /** Follows the `shadow_name` shadow (runners under Greengrass); a shadow that fails is logged, not fatal. */
  private async followShadow(): Promise<void> {
    const { context } = this.options;
    await this.shadow?.stop();
    this.shadow = undefined;
    const shadowName = (this.config.current as { shadow_name?: string }).shadow_name;
    const runtime = context.greengrass?.runtime;
    if (!shadowName || !runtime) return;
    const logger = context.logger.child({ part: 'shadow' });
    const thingName = context.env.AWS_IOT_THING_NAME;
    if (!thingName)
      return logger.error(
        'shadow_name is set but AWS_IOT_THING_NAME is not: the nucleus sets it for components; no shadow',
        { shadowName },
      );
    const shadow: DeviceShadow<K> = new DeviceShadow({
      kind: context.kind,
      runtime,
      address: { thingName, shadowName },
      config: this.config,
      reported: () => this.reported(shadow),
      logger,
    });
    try {
      await shadow.start();
      this.shadow = shadow;
    } catch (err) {
      this.lastError = { message: (err as Error).message, ts: Date.now() };
      // A nucleus without shadow operations (Lite) says why itself; the name is not the problem there.
      const hint =
        shadowName.startsWith(SHADOW_NAME_PREFIX) || err instanceof NucleusUnsupportedError
          ? {}
          : {
              hint: `the recipes allow the ${SHADOW_NAME_PREFIX}* named shadows only: name it so, or extend accessControl (aws.greengrass.ShadowManager, aws.greengrass.ipc.pubsub)`,
            };
      logger.error('cannot follow the device shadow; settings come from the deployment only', {
        shadowName,
        err,
        ...hint,
      });
      await shadow.stop().catch(() => undefined);
    }
  }

  /** The shadow's `reported` state: what is in effect, which versions run, what went wrong last. */
  private reported(shadow: DeviceShadow<K>): Record<string, unknown> {
    const { enabled, threshold, criteria } = this.filter.config;
    const current = this.config.current as { iotcore_backoff: number; inference_mode?: string };
    const model = this.pipeline?.modelInfo();
    const rejected = shadow.rejections;
    return {
      enable_threshold_limit: enabled,
      default_threshold: threshold,
      threshold_criteria: criteria,
      iotcore_backoff: current.iotcore_backoff,
      inference_mode: current.inference_mode ?? null,
      component: COMPONENTS[this.options.context.kind].componentName,
      component_version: PRODUCT_VERSION,
      model: model ? { name: model.model_name, version: model.model_version } : null,
      // null removes the key from the shadow once nothing is rejected any more.
      rejected: Object.keys(rejected).length ? rejected : null,
      last_error: this.lastError ?? null,
    };
  }

  /** A cache that stops caching (a full disk) says so once on `command/output`, and once when it resumes. */
  private reportCacheFaults(): void {
    const { caches, context } = this.options;
    this.stopCacheReports = caches?.onReport?.((reply) => {
      this.services.commands
        .reply(reply)
        .catch((err) => context.logger.error('could not publish a cache notice', { reply: reply.result, err }));
    });
  }

  private armMetrics(): void {
    clearInterval(this.metricsTimer);
    const interval = (this.config.current as { metrics_sleeptime_ms?: number }).metrics_sleeptime_ms;
    if (!interval) return;
    const publish = () => {
      const { metrics, publisher, context } = this.services;
      const threshold = this.filter.config.threshold;
      const caches = this.options.caches?.status?.();
      void publisher.publish(context.topics.modelMetrics, {
        ...metrics.toPayload({ id: randomUUID(), ts: Date.now(), threshold }),
        ...(caches ? { caches } : {}),
      });
    };
    publish();
    this.metricsTimer = setInterval(publish, interval);
  }

  private async applyConfiguration(
    next: ComponentConfigs[K],
    previous: ComponentConfigs[K],
    changed: string[],
  ): Promise<void> {
    const n = next as ComponentConfigs[K] & FilterKeys;
    this.filter.update({
      enabled: n.enable_threshold_limit,
      threshold: n.default_threshold,
      criteria: n.threshold_criteria,
    });
    if (next.iotcore_backoff !== previous.iotcore_backoff) this.backoff.setEvery(next.iotcore_backoff);
    if (changed.includes('metrics_sleeptime_ms')) this.armMetrics();
    await this.onDemand.configurationChanged(previous as TriggerSettings);
    if (changed.includes('shadow_name')) await this.followShadow();
    const liveKeys = new Set([...LIVE_KEYS, ...(this.options.liveKeys ?? [])]);
    const needsRestart = changed.filter((k) => !liveKeys.has(k));
    if (needsRestart.length) {
      this.options.context.logger.info('configuration change needs a pipeline restart', { keys: needsRestart });
      await this.restart().catch((err) =>
        this.options.context.logger.error('restart after configuration change failed', { err }),
      );
    }
    await this.shadow?.report();
  }
}
