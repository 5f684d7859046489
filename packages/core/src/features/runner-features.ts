import type { LinuxRunnerConfig, SerialRunnerConfig } from '../config/parameters-schema';
import type { ComponentFeatures, FeatureHost } from './component-feature';
import { backoffFeature } from './backoff-feature';
import { lastErrorFeature } from './last-error-feature';
import { metricsTimerFeature } from './metrics-timer-feature';
import { shadowFeature } from './shadow-feature';
import { thresholdFilterFeature } from './threshold-filter-feature';
import { triggersFeature } from './triggers-feature';

/** The components that run a model: they share the filter, metrics and edge keys (parameters-schema). */
export type RunnerKind = 'linux-runner' | 'serial-runner';

/**
 * Every runner's features: threshold filter, backoff, triggered inference, last error, device shadow, metrics timer.
 *
 * @example
 * ```ts
 * const definition: ComponentDefinition<'serial-runner'> = {
 *   kind: 'serial-runner',
 *   features: runnerFeatures,
 *   createPipeline: (services) => new SerialBoardPipeline(services),
 * };
 * ```
 */
export function runnerFeatures<K extends RunnerKind>(host: FeatureHost<K>): ComponentFeatures {
  const settings = (): LinuxRunnerConfig | SerialRunnerConfig => host.config.current;
  const filter = thresholdFilterFeature(settings);
  const lastError = lastErrorFeature();
  return {
    filter,
    backoff: backoffFeature(() => settings().iotcore_backoff),
    triggers: triggersFeature(host, settings),
    more: [
      lastError,
      shadowFeature(host, () => settings().shadow_name, lastError.record),
      metricsTimerFeature(
        host,
        () => settings().metrics_sleeptime_ms,
        () => filter.filter.config.threshold,
      ),
    ],
  };
}
