import type { ConfigInterpretation, LinuxRunnerConfig } from '@ei-gg/core';
import { interpretRunnerConfig } from './runner-settings';

/**
 * The runner's part of `--check-config` and of the start (core's `interpret` hook): the effective settings and
 * what became of each flag of `eiparams`, its warnings, and its problems as problems of the key `eiparams`;
 * `eiparams` is shown with secret values (an `--api-key`) redacted.
 */
export function runnerConfigInterpretation(config: LinuxRunnerConfig): ConfigInterpretation {
  const { settings, flags, warnings, problems, shownEiparams } = interpretRunnerConfig(config);
  return {
    effective: { settings, eiparams: flags },
    warnings,
    problems: problems.map((message) => ({ key: 'eiparams', value: shownEiparams, message })),
    shownParameters: { eiparams: shownEiparams },
  };
}
