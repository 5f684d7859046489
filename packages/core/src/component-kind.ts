/** The three components of the product, with the names Greengrass and the original recipes use. */
export const COMPONENT_KINDS = ['linux-service', 'linux-runner', 'serial-runner'] as const;
export type ComponentKind = (typeof COMPONENT_KINDS)[number];

export interface ComponentIdentity {
  kind: ComponentKind;
  /** Greengrass component name (unchanged from Edge Impulse's components: a drop-in replacement). */
  componentName: string;
  /** npm package. */
  packageName: string;
  /** CLI bin linked into node_modules/.bin and bundled into the artifact. */
  bin: string;
  /** Suffix of the original `lock_filename` default (`/tmp/ei_lockfile_<suffix>`). */
  lockSuffix: string;
  description: string;
}

export const COMPONENTS: Record<ComponentKind, ComponentIdentity> = {
  'linux-service': {
    kind: 'linux-service',
    componentName: 'EdgeImpulseLinuxServiceComponent',
    packageName: '@ei-gg/linux-service',
    bin: 'ei-gg-linux-service',
    lockSuffix: 'linux',
    description: 'Runs the Edge Impulse Linux data-collection client so the device appears in Edge Impulse Studio',
  },
  'linux-runner': {
    kind: 'linux-runner',
    componentName: 'EdgeImpulseLinuxRunnerServiceComponent',
    packageName: '@ei-gg/linux-runner',
    bin: 'ei-gg-linux-runner',
    lockSuffix: 'runner',
    description:
      'Runs an Edge Impulse model (.eim) on camera, microphone or files and relays every inference to AWS IoT Core',
  },
  'serial-runner': {
    kind: 'serial-runner',
    componentName: 'EdgeImpulseSerialRunnerServiceComponent',
    packageName: '@ei-gg/serial-runner',
    bin: 'ei-gg-serial-runner',
    lockSuffix: 'serial_runner',
    description:
      'Drives a microcontroller running Edge Impulse firmware over serial and relays its results to AWS IoT Core',
  },
};
