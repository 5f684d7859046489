import { randomUUID } from 'node:crypto';
import type { ComponentKind } from '../component-kind';
import type { ComponentFeature, FeatureHost } from './component-feature';

/**
 * The model metrics message every `metrics_sleeptime_ms` (0: none), the first once the pipeline runs; the other
 * parts add to it (the caches' state). `threshold`: the filter's, which the message reports.
 */
export function metricsTimerFeature<K extends ComponentKind>(
  host: FeatureHost<K>,
  interval: () => number,
  threshold: () => number,
): ComponentFeature {
  let timer: NodeJS.Timeout | undefined;
  const publish = () => {
    void host.publisher.publish(host.context.topics.modelMetrics, {
      ...host.metrics.toPayload({ id: randomUUID(), ts: Date.now(), threshold: threshold() }),
      ...host.contributions('metrics'),
    });
  };
  const arm = () => {
    clearInterval(timer);
    timer = undefined;
    if (!interval()) return;
    publish();
    timer = setInterval(publish, interval());
  };
  return {
    liveKeys: ['metrics_sleeptime_ms'],
    pipelineStarted: arm,
    halt: () => clearInterval(timer),
    configurationChanged: async (changed) => {
      if (changed.includes('metrics_sleeptime_ms')) arm();
    },
  };
}
