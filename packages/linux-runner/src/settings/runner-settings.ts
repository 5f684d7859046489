import type { LinuxRunnerConfig } from '@ei-gg/core';

/** Where one of the runner's web servers listens. */
export interface WebServerSettings {
  port: number | 'off';
  host: string;
}

/** One learn block threshold the model is given at start (`set_threshold`). */
export interface ModelThreshold {
  blockId: number;
  key: string;
  value: number;
}

/**
 * What the runner does, resolved once per pipeline start from its configuration keys: the one place the rest of
 * the runner reads these from, so that a setting's origin (a key today) does not leak into the parts using it.
 */
export interface RunnerSettings {
  preview: WebServerSettings;
  httpServer: WebServerSettings;
  /** Sent to the model after its hello, in order. */
  modelThresholds: ModelThreshold[];
}

export function runnerSettings(config: LinuxRunnerConfig): RunnerSettings {
  return {
    preview: { port: config.preview_port, host: config.preview_host },
    httpServer: { port: config.http_server_port, host: config.http_server_host },
    modelThresholds: [],
  };
}
