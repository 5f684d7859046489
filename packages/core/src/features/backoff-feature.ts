import { Backoff } from '../backoff';
import type { BackoffFeature } from './component-feature';

/** `iotcore_backoff` (every component has it): publish every Nth result, N changed live. */
export function backoffFeature(every: () => number): BackoffFeature {
  let current = every();
  const backoff = new Backoff(current);
  return {
    backoff,
    liveKeys: ['iotcore_backoff'],
    configurationChanged: async () => {
      if (every() === current) return;
      current = every();
      backoff.setEvery(current);
    },
    reported: () => ({ iotcore_backoff: current }),
  };
}
