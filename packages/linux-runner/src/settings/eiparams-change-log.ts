import type { ComponentFeature, FeatureHost } from '@ei-gg/core';
import { interpretRunnerConfig } from './runner-settings';

/**
 * A deployment that changes `eiparams` gets its flag warnings logged, as the start logged the first ones (its
 * problems fail the pipeline's restart, EIPARAMS_INVALID, which the host reports).
 */
export function eiparamsChangeLog(host: FeatureHost<'linux-runner'>): ComponentFeature {
  return {
    configurationChanged: async (changed) => {
      if (!changed.includes('eiparams')) return;
      for (const warning of interpretRunnerConfig(host.config.current).warnings) host.context.logger.warn(warning);
    },
  };
}
