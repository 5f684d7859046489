import * as path from 'node:path';

/** The demo model, a generic stand-in `.eim` (see the script's header for presets and overrides). */
export const FIXTURE_MODEL = path.resolve(__dirname, '../../demo/demo-model.js');
/** The environment variable the model reads its preset and overrides from. */
export const FIXTURE_MODEL_ENV = 'EI_DEMO_MODEL';

export type FixturePreset =
  'image-classification' | 'object-detection' | 'visual-anomaly' | 'freeform' | 'audio-classification';

export interface FixtureSpec {
  preset: FixturePreset;
  deployVersion?: number;
  projectName?: string;
  width?: number;
  height?: number;
  inferenceMs?: number;
  crashAfter?: number;
  exitAtStart?: number;
}

/** The environment that makes the model this one. */
export function fixtureEnv(spec: FixtureSpec): Record<typeof FIXTURE_MODEL_ENV, string> {
  return { [FIXTURE_MODEL_ENV]: JSON.stringify(spec) };
}
