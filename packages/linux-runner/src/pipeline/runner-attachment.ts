import type { HostServices, Logger } from '@ei-gg/core';
import type { ModelSession } from '../model/model-session';
import type { RunnerSettings } from '../settings/runner-settings';
import type { InferenceEvents } from './inference-events';

/** What a part attached to the runner's pipeline (the preview page, the HTTP API) may use. */
export interface RunnerContext {
  services: HostServices<'linux-runner'>;
  settings: RunnerSettings;
  /** The model running now: a crashed model is replaced, so ask each time; undefined while it restarts. */
  model(): ModelSession | undefined;
  events: InferenceEvents;
  logger: Logger;
  /** The one access token of the runner's web servers (see AccessGuard), the same for every part. */
  webToken(): Promise<string>;
}

/** A started part; stopped before the model when the pipeline stops or restarts. */
export interface RunnerAttachment {
  stop(): Promise<void>;
}

/** Starts a part once the model and input are open; undefined when its settings leave it off. */
export type AttachToRunner = (context: RunnerContext) => Promise<RunnerAttachment | undefined>;
