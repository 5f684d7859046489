import { randomUUID } from 'node:crypto';
import type { ComponentContext } from '../cli/run-component-cli';
import { CommandIntake } from '../commands/command-intake';
import { startedReply } from '../commands/command-replies';
import { CommandRouter, type ModelInfo, type VerbHandler } from '../commands/command-router';
import type { ComponentKind } from '../component-kind';
import { COMPONENTS } from '../component-kind';
import type { LiveConfiguration } from '../config/live-configuration';
import type { ComponentFeature, ComponentFeatures, Contribution, FeatureHost } from '../features/component-feature';
import { MetricsAccumulator } from '../metrics/metrics-accumulator';
import { InferenceRelay } from '../relay/inference-relay';
import { Publisher } from '../publisher/publisher';
import { InferenceRequests } from '../triggers/inference-requests';
import type { Transport } from '../transport/transport';
import { componentIdentity, componentStatus } from './component-status';
import { LockFile } from './lock-file';

/** What a component plugs into the host: its input and model, started and stopped as one unit. */
export interface ComponentPipeline {
  start(): Promise<void>;
  stop(): Promise<void>;
  modelInfo(): ModelInfo | undefined;
}

/** Why a component asked to stop by itself (its input ended), and the exit code the process ends with. */
export interface StopRequest {
  reason: string;
  exitCode: number;
}

/** Shared services a component pipeline uses. */
export interface HostServices<K extends ComponentKind> {
  context: ComponentContext<K>;
  config: LiveConfiguration<K>;
  publisher: Publisher;
  inference: InferenceRelay;
  commands: CommandIntake;
  metrics: MetricsAccumulator;
  /** Triggered mode's requests, served one at a time by the pipeline (runners; none arrive elsewhere). */
  requests: InferenceRequests;
  /** The component is done (its input ended): the host stops in order and the process exits with `exitCode`. */
  requestStop(reason: string, exitCode: number): void;
}

/** What a component brings to the host: its features (built once per run) and its pipeline (per (re)start). */
export interface ComponentParts<K extends ComponentKind> {
  features(host: FeatureHost<K>): ComponentFeatures | Promise<ComponentFeatures>;
  createPipeline(services: HostServices<K>): ComponentPipeline;
  /** Keys besides the features' that apply without a pipeline restart. */
  liveKeys?: readonly string[];
}

export interface ComponentHostOptions<K extends ComponentKind> {
  context: ComponentContext<K>;
  transport: Transport;
  /** Greengrass lifecycle reporting, when running under the nucleus. */
  reportState?: (state: 'RUNNING' | 'ERRORED') => Promise<void>;
}

/** The publisher reads QoS per publish: a new `iotcore_qos` needs no restart. */
const HOST_LIVE_KEYS = ['iotcore_qos'];

/**
 * Runs one component: lock, transport, publisher, commands, the component's features and its pipeline; forwards
 * live configuration to the features and restarts the pipeline for keys none of them applies live; restarts the
 * pipeline in-process on `restart`; stops everything in order. Policy lives in the features, not here.
 */
export class ComponentHost<K extends ComponentKind> {
  private pipeline: ComponentPipeline | undefined;
  private readonly lock: LockFile;
  private readonly unwatch: () => void;
  private readonly identity: ReturnType<typeof componentIdentity>;
  private readonly liveKeys: ReadonlySet<string>;

  private constructor(
    private readonly options: ComponentHostOptions<K>,
    private readonly parts: ComponentParts<K>,
    private readonly features: readonly ComponentFeature[],
    private readonly services: HostServices<K>,
    /** Resolves when the component asked to stop itself (`requestStop`); the caller then calls {@link stop}. */
    readonly stopRequested: Promise<StopRequest>,
  ) {
    const { context } = options;
    this.lock = new LockFile(LockFile.pathFor(context.config.current.lock_filename, context.deviceName));
    this.identity = componentIdentity(this.statusSources());
    this.liveKeys = new Set([
      ...HOST_LIVE_KEYS,
      ...features.flatMap((f) => f.liveKeys ?? []),
      ...(parts.liveKeys ?? []),
    ]);
    this.unwatch = context.config.onChange((_next, _previous, changed) => void this.applyConfiguration(changed));
  }

  /**
   * Builds the host and the component's features (which may open caches, but start nothing yet).
   *
   * @example
   * ```ts
   * const host = await ComponentHost.create({ context, transport: createTransport(context) }, definition);
   * await host.start();
   * // ... later
   * await host.stop(3000); // in order, with in-flight publishes flushed within 3 s
   * ```
   */
  static async create<K extends ComponentKind>(
    options: ComponentHostOptions<K>,
    parts: ComponentParts<K>,
  ): Promise<ComponentHost<K>> {
    const { context, transport } = options;
    const config = context.config;
    const metrics = new MetricsAccumulator();
    const publisher = new Publisher({
      transport,
      logger: context.logger.child({ part: 'publisher' }),
      qos: () => (config.current.iotcore_qos === 0 ? 0 : 1),
    });
    // The features and the router reach the host once it exists (they are called only after it is built).
    const built: { host?: ComponentHost<K> } = {};
    let list: ComponentFeature[] = [];
    const featureHost: FeatureHost<K> = {
      context,
      config,
      publisher,
      metrics,
      reply: (reply) => commands.reply(reply),
      modelInfo: () => built.host?.pipeline?.modelInfo(),
      contributions: (message) => merge(list, message),
    };
    const features = await parts.features(featureHost);
    const { filter, backoff, triggers, output } = features;
    list = [filter, backoff, ...(triggers ? [triggers] : []), ...(output ? [output] : []), ...(features.more ?? [])];
    const router = new CommandRouter(
      {
        componentName: COMPONENTS[context.kind].componentName,
        filter: filter.filter,
        resetMetrics: () => metrics.reset(),
        restart: async () => built.host?.restart(),
        modelInfo: () => featureHost.modelInfo(),
        caches: output?.caches,
      },
      {
        get_status: () => ({
          status: { ...(built.host && componentStatus(built.host.statusSources())), ...merge(list, 'status') },
        }),
        ...verbsOf(list),
      },
    );
    const commands = new CommandIntake({
      transport,
      publisher,
      router,
      topics: context.topics,
      logger: context.logger.child({ part: 'commands' }),
      onReply: (reply) => list.forEach((f) => f.commandAnswered?.(reply)),
    });
    const inference = new InferenceRelay({
      ...(triggers?.publishLocal ? { publishLocal: triggers.publishLocal } : {}),
      ...(output ? { output: output.output } : {}),
      publisher,
      topics: context.topics,
      filter: filter.filter,
      metrics,
      backoff: backoff.backoff,
    });
    let resolveStop!: (request: StopRequest) => void;
    const stopRequested = new Promise<StopRequest>((resolve) => (resolveStop = resolve));
    const services: HostServices<K> = {
      context,
      config,
      publisher,
      inference,
      commands,
      metrics,
      requests: triggers?.requests ?? idleRequests(),
      requestStop: (reason, exitCode) => resolveStop({ reason, exitCode }),
    };
    built.host = new ComponentHost(options, parts, list, services, stopRequested);
    return built.host;
  }

  /** Starts everything; on failure reports ERRORED, undoes what was started and rethrows. */
  async start(): Promise<void> {
    const { transport, reportState } = this.options;
    try {
      this.lock.acquire();
      await transport.connect();
      await this.services.commands.start();
      for (const feature of this.features) await feature.start?.();
      await this.startPipeline();
      for (const feature of this.features) feature.pipelineStarted?.();
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

  /** Graceful stop: producers first, then the last results published and cached, then connections; all within `deadlineMs`. */
  async stop(deadlineMs: number): Promise<void> {
    const log = this.options.context.logger;
    this.unwatch();
    for (const feature of this.features) feature.halt?.();
    const deadline = performance.now() + deadlineMs; // monotonic: a wall-clock jump must not cut the stop short
    const remainingMs = () => Math.max(0, deadline - performance.now());
    await this.pipeline?.stop().catch((err) => log.error('pipeline did not stop cleanly', { err }));
    this.pipeline = undefined;
    // The last results are published and cached before the features (and with them the caches) stop.
    if (!(await this.services.inference.drain(remainingMs()))) {
      log.warn('stopping with results still being published or cached', { pending: this.services.publisher.pending });
    }
    for (const feature of this.features) await feature.stop?.();
    await this.services.commands.stop().catch((err) => log.error('command intake did not stop cleanly', { err }));
    if (!(await this.services.publisher.flush(remainingMs()))) {
      log.warn('stopping with publishes still in flight', { pending: this.services.publisher.pending });
    }
    await this.services.config.close().catch((err) => log.error('configuration watch did not close cleanly', { err }));
    await this.options.transport.close().catch((err) => log.error('transport did not close cleanly', { err }));
    this.lock.release();
  }

  private statusSources() {
    const { context } = this.options;
    return {
      componentName: COMPONENTS[context.kind].componentName,
      deviceName: context.deviceName,
      transport: context.transportName,
      model: this.pipeline?.modelInfo(),
      metrics: this.services.metrics,
      publisher: this.services.publisher.counters,
    };
  }

  private async startPipeline(): Promise<void> {
    this.services.metrics.reset();
    this.services.inference.resetCount();
    this.pipeline = this.parts.createPipeline(this.services);
    await this.pipeline.start();
    await this.services.commands.reply(startedReply(randomUUID(), Date.now(), this.identity));
  }

  private async applyConfiguration(changed: string[]): Promise<void> {
    const log = this.options.context.logger;
    for (const feature of this.features) await feature.configurationChanged?.(changed);
    const needsRestart = changed.filter((k) => !this.liveKeys.has(k));
    if (needsRestart.length) {
      log.info('configuration change needs a pipeline restart', { keys: needsRestart });
      await this.restart().catch((err) => log.error('restart after configuration change failed', { err }));
    }
    for (const feature of this.features) await feature.configurationApplied?.();
  }
}

/** The queue of a component without triggered inference: always continuous, nothing ever arrives. */
function idleRequests(): InferenceRequests {
  return new InferenceRequests({ mode: () => 'continuous', limit: () => 1, fail: () => undefined });
}

function merge(features: readonly ComponentFeature[], message: 'status' | 'metrics' | 'reported'): Contribution {
  const merged: Contribution = {};
  for (const feature of features) Object.assign(merged, feature[message]?.());
  return merged;
}

function verbsOf(features: readonly ComponentFeature[]): Record<string, VerbHandler> {
  const verbs: Record<string, VerbHandler> = {};
  for (const feature of features) Object.assign(verbs, feature.verbs);
  return verbs;
}
