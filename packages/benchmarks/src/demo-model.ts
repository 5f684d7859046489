import { join } from 'node:path';

const DEMO = join(__dirname, '../../linux-runner/demo');

/** linux-runner's demo model (the stand-in .eim) and its sample images. */
export const DEMO_MODEL = join(DEMO, 'demo-model.js');
export const DEMO_IMAGES = join(DEMO, 'images');

/** The demo model as object detection taking `inferenceMs` per inference, like a real model's compute. */
export function demoModelEnv(inferenceMs: number): { EI_DEMO_MODEL: string } {
  return { EI_DEMO_MODEL: JSON.stringify({ preset: 'object-detection', inferenceMs }) };
}
