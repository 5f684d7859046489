import { bundleFromSources } from '../../../../tools/demo/bundle-from-sources';

let bundle: string | undefined;

/** The component's main bundled from the sources (see bundleFromSources), once per jest worker. */
export function runnerBundle(): string {
  bundle ??= bundleFromSources('linux-runner');
  return bundle;
}
