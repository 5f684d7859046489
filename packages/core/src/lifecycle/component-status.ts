import type { ModelInfo } from '../commands/command-router';
import type { MetricsAccumulator } from '../metrics/metrics-accumulator';
import type { PublisherCounters } from '../publisher/publisher';
import type { TransportName } from '../transport/transport';
import { PRODUCT_VERSION } from '../version';

export interface ComponentStatusSources {
  componentName: string;
  deviceName: string;
  transport: TransportName;
  model: ModelInfo | undefined;
  metrics: MetricsAccumulator;
  publisher: PublisherCounters;
}

/** What `get_status` answers and `started` carries: which component and model version really run where. */
export function componentIdentity(sources: Pick<ComponentStatusSources, 'componentName' | 'deviceName' | 'transport'>) {
  return {
    component: sources.componentName,
    component_version: PRODUCT_VERSION,
    device: sources.deviceName,
    transport: sources.transport,
  };
}

export function componentStatus(sources: ComponentStatusSources): Record<string, unknown> {
  const { counts, uptime_s } = sources.metrics.health;
  return {
    ...componentIdentity(sources),
    model: sources.model ? { name: sources.model.model_name, version: sources.model.model_version } : null,
    uptime_s: Math.round(uptime_s * 1000) / 1000,
    inferences: counts,
    messages: { ...sources.publisher },
  };
}
