import { THRESHOLD_CRITERIA, ThresholdFilter } from '../threshold-filter';
import type { FilterFeature } from './component-feature';

/** The configuration keys of the threshold filter (the runners'), as validated configuration holds them. */
export interface FilterSettings {
  enable_threshold_limit: boolean;
  default_threshold: number;
  threshold_criteria: string;
}

const FILTER_KEYS = ['enable_threshold_limit', 'default_threshold', 'threshold_criteria'] as const;

/**
 * The threshold filter, following its configuration keys live. Without `settings` (a component without those keys)
 * it starts off at 0.7/ge and only the filter commands change it: every component answers them (README).
 */
export function thresholdFilterFeature(settings?: () => FilterSettings): FilterFeature {
  const read = () => {
    const s = settings?.();
    return {
      enabled: s?.enable_threshold_limit ?? false,
      threshold: s?.default_threshold ?? 0.7,
      // Validated configuration holds one of them; the schema's type says only string.
      criteria: THRESHOLD_CRITERIA.find((c) => c === s?.threshold_criteria) ?? 'ge',
    };
  };
  const filter = new ThresholdFilter(read());
  if (!settings) return { filter };
  return {
    filter,
    liveKeys: FILTER_KEYS,
    configurationChanged: async () => filter.update(read()),
    reported: () => {
      const { enabled, threshold, criteria } = filter.config;
      return { enable_threshold_limit: enabled, default_threshold: threshold, threshold_criteria: criteria };
    },
  };
}
