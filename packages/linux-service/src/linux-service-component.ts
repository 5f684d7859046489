import type { ComponentDefinition } from '@ei-gg/core';
import { LinuxServicePipeline, type LinuxServiceOptions } from './linux-service-pipeline';

/** EdgeImpulseLinuxServiceComponent: the shared host plus the supervised edge-impulse-linux client. */
export function linuxServiceComponent(options: LinuxServiceOptions = {}): ComponentDefinition<'linux-service'> {
  return {
    kind: 'linux-service',
    createPipeline: (services) => new LinuxServicePipeline(services, options),
    // The restart cap is read at each restart: a new value needs no client restart.
    liveKeys: ['sleep_time_sec'],
  };
}
