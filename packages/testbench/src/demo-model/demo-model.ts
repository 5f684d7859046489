import { existsSync } from 'node:fs';
import * as path from 'node:path';

// linux-runner's demo model stays in linux-runner (its demo and packaging use it); from src/ and dist/ alike.
const DEMO = path.resolve(__dirname, '../../../linux-runner/demo');

/** The demo model, a generic stand-in `.eim` (see the script's header for presets and overrides). */
export const DEMO_MODEL = path.join(DEMO, 'demo-model.js');
/** The demo's sample images, for an `images:` or `images-loop:` input. */
export const DEMO_IMAGES = path.join(DEMO, 'images');
/** The environment variable the model reads its preset and overrides from. */
export const DEMO_MODEL_ENV = 'EI_DEMO_MODEL';

export type DemoModelPreset =
  'image-classification' | 'object-detection' | 'visual-anomaly' | 'freeform' | 'audio-classification';

export interface DemoModelSpec {
  preset: DemoModelPreset;
  deployVersion?: number;
  projectName?: string;
  width?: number;
  height?: number;
  inferenceMs?: number;
  crashAfter?: number;
  exitAtStart?: number;
  /** The socket refuses connections this long after it appears, as a native model's between bind() and listen(). */
  listenAfterMs?: number;
}

/** The environment that makes the model this one. */
export function demoModelEnv(spec: DemoModelSpec): Record<typeof DEMO_MODEL_ENV, string> {
  return { [DEMO_MODEL_ENV]: JSON.stringify(spec) };
}

/** DEMO_MODEL, or an error saying where it was looked for (a moved demo must not make tests run something else). */
export function demoModelScript(): string {
  if (!existsSync(DEMO_MODEL))
    throw new Error(`linux-runner's demo model is not at ${DEMO_MODEL}: update packages/testbench/src/demo-model`);
  return DEMO_MODEL;
}

/**
 * The linux-runner's `--set` arguments for a quick test run with the demo model: no back-off or sleep between
 * restarts, no metrics, its lock in `dir`; `settings` add or override keys.
 */
export function demoRunnerSets(dir: string, settings: Record<string, string>): string[] {
  return Object.entries({
    ei_local_model_file: DEMO_MODEL,
    iotcore_backoff: '0',
    metrics_sleeptime_ms: '0',
    sleep_time_sec: '1',
    lock_filename: path.join(dir, 'lock'),
    ...settings,
  }).flatMap(([key, value]) => ['--set', `${key}=${value}`]);
}
