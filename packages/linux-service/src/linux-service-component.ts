import { backoffFeature, lastErrorFeature, thresholdFilterFeature, type ComponentDefinition } from '@ei-gg/core';
import { LinuxServicePipeline, type LinuxServiceOptions } from './linux-service-pipeline';

/** EdgeImpulseLinuxServiceComponent: the shared host plus the supervised edge-impulse-linux client. */
export function linuxServiceComponent(options: LinuxServiceOptions = {}): ComponentDefinition<'linux-service'> {
  return {
    kind: 'linux-service',
    // It runs no inference: the filter only answers the filter commands (as every component does), and
    // iotcore_backoff, a key every component has, applies without a client restart; get_status shows the last
    // problem (a client that keeps exiting).
    features: (host) => ({
      filter: thresholdFilterFeature(),
      backoff: backoffFeature(() => host.config.current.iotcore_backoff),
      more: [lastErrorFeature()],
    }),
    createPipeline: (services) => new LinuxServicePipeline(services, options),
    // The restart cap is read at each restart: a new value needs no client restart.
    liveKeys: ['sleep_time_sec'],
  };
}
