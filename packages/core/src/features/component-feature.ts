import type { ComponentContext } from '../cli/run-component-cli';
import type { CommandReply } from '../commands/command-replies';
import type { CacheControl, ModelInfo, VerbHandler } from '../commands/command-router';
import type { ComponentKind } from '../component-kind';
import type { LiveConfiguration } from '../config/live-configuration';
import type { MetricsAccumulator } from '../metrics/metrics-accumulator';
import type { InferencePayload } from '../results/encode-inference-payload';
import type { InferenceOutput } from '../relay/inference-relay';
import type { Publisher } from '../publisher/publisher';
import type { Backoff } from '../backoff';
import type { ThresholdFilter } from '../threshold-filter';
import type { InferenceRequests } from '../triggers/inference-requests';

/** What a feature adds to one of the host's messages: `get_status`, the metrics message, the shadow's `reported`. */
export type Contribution = Record<string, unknown>;

/**
 * One concern of a component (threshold filter, backoff, triggers, shadow, metrics timer, caches ...): the host
 * starts the parts in order before the pipeline, forwards configuration changes and command replies to them,
 * merges what they contribute to its messages and stops them in order after the pipeline.
 */
export interface ComponentFeature {
  /** Configuration keys this part applies live: changing them does not restart the pipeline. */
  readonly liveKeys?: readonly string[];
  /** Extra command verbs (e.g. `infer`). */
  readonly verbs?: Readonly<Record<string, VerbHandler>>;
  start?(): Promise<void>;
  /** Once the pipeline has started the first time. */
  pipelineStarted?(): void;
  /** Before the pipeline stops: stop producing (timers, notices). */
  halt?(): void;
  /** After the pipeline stopped. */
  stop?(): Promise<void>;
  /** A configuration change, before any pipeline restart it needs. */
  configurationChanged?(changed: readonly string[]): Promise<void>;
  /** A configuration change is fully applied (after the restart it needed). */
  configurationApplied?(): Promise<void>;
  /** Every reply the command intake published. */
  commandAnswered?(reply: CommandReply): void;
  status?(): Contribution;
  metrics?(): Contribution;
  reported?(): Contribution;
}

/** What the host lends the features of a component, built once per run. */
export interface FeatureHost<K extends ComponentKind> {
  context: ComponentContext<K>;
  config: LiveConfiguration<K>;
  publisher: Publisher;
  metrics: MetricsAccumulator;
  /** Publishes on `command/output`. */
  reply(reply: CommandReply): Promise<void>;
  /** The running pipeline's model (or board), undefined until it started. */
  modelInfo(): ModelInfo | undefined;
  /** What every part contributes to one of the host's messages, merged in part order. */
  contributions(message: 'status' | 'metrics' | 'reported'): Contribution;
}

/** The threshold filter of the inference path and of the filter commands (which every component answers). */
export interface FilterFeature extends ComponentFeature {
  readonly filter: ThresholdFilter;
}

export interface BackoffFeature extends ComponentFeature {
  readonly backoff: Backoff;
}

/** Triggered inference: the request queue the pipeline serves, and the local results copy of every result. */
export interface TriggersFeature extends ComponentFeature {
  readonly requests: InferenceRequests;
  readonly publishLocal?: (payload: InferencePayload) => Promise<void>;
}

/** What happens to a result beyond its payload: image publishing, s3 fields, caching; and the cache commands. */
export interface OutputFeature extends ComponentFeature {
  readonly output: InferenceOutput;
  readonly caches: CacheControl;
}

/**
 * The typed parts a component is made of; the host composes them and knows nothing of their keys.
 *
 * @example
 * ```ts
 * // linux-service: a filter and a backoff, no triggers, caches or shadow
 * features: () => ({ filter: thresholdFilterFeature(), backoff: backoffFeature(() => 1) }),
 * // a runner: runnerFeatures(host), plus its output feature
 * features: (host) => ({ ...runnerFeatures(host), output: inferenceOutputFeature(host, caches) }),
 * ```
 */
export interface ComponentFeatures {
  filter: FilterFeature;
  backoff: BackoffFeature;
  triggers?: TriggersFeature;
  output?: OutputFeature;
  /** Further parts (shadow, metrics timer), started in this order after the ones above. */
  more?: readonly ComponentFeature[];
}
