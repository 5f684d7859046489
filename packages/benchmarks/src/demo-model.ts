import { demoModelEnv as modelEnv } from '@ei-gg/testbench';

export { DEMO_IMAGES, DEMO_MODEL } from '@ei-gg/testbench';

/** The demo model as object detection taking `inferenceMs` per inference, like a real model's compute. */
export function demoModelEnv(inferenceMs: number): { EI_DEMO_MODEL: string } {
  return modelEnv({ preset: 'object-detection', inferenceMs });
}
