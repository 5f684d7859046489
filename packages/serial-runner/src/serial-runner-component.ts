import type { ComponentDefinition } from '@ei-gg/core';
import { SerialBoardPipeline, type SerialBoardTimings } from './board/serial-board-pipeline';

/** EdgeImpulseSerialRunnerServiceComponent: the shared host plus the serial board pipeline (no caches). */
export function serialRunnerComponent(timings: Partial<SerialBoardTimings> = {}): ComponentDefinition<'serial-runner'> {
  return {
    kind: 'serial-runner',
    createPipeline: (services) => new SerialBoardPipeline(services, timings),
  };
}
