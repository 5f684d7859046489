import * as path from 'node:path';

/** The generic stand-in `.eim` (see the script's header for presets and overrides). */
export const FIXTURE_MODEL = path.resolve(__dirname, '../fixtures/eim/fixture-model.js');

export type FixturePreset = 'image-classification' | 'object-detection' | 'visual-anomaly' | 'freeform' | 'audio-classification';

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

/** The environment that makes the fixture this model. */
export function fixtureEnv(spec: FixtureSpec): { EI_FIXTURE_MODEL: string } {
  return { EI_FIXTURE_MODEL: JSON.stringify(spec) };
}
