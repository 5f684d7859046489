import { runnerFeatures, type ComponentDefinition } from '@ei-gg/core';
import { SerialBoardPipeline, type SerialBoardTimings } from './board/serial-board-pipeline';

/** EdgeImpulseSerialRunnerServiceComponent: the shared host with the runners' features plus the serial board pipeline (no caches). */
export function serialRunnerComponent(timings: Partial<SerialBoardTimings> = {}): ComponentDefinition<'serial-runner'> {
  return {
    kind: 'serial-runner',
    features: runnerFeatures,
    createPipeline: (services) => new SerialBoardPipeline(services, timings),
  };
}
