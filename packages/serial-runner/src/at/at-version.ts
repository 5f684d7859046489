import { SerialError } from '../errors';

/** AT command set major versions this product speaks: 1.x (1.3.0 in 2020 firmware to 1.8.0 in 2025). */
export const SUPPORTED_AT_MAJOR_VERSIONS = [1];

/** The Edge Impulse CLI's rule: a new major version changes required commands, minor versions only add. */
export function checkAtVersion(version: string): void {
  const major = /^v?(\d+)\.\d+(?:\.\d+)?/.exec(version.trim());
  if (major && SUPPORTED_AT_MAJOR_VERSIONS.includes(Number(major[1]))) return;
  throw new SerialError(
    'SERIAL_AT_VERSION',
    `device runs AT command set version ${JSON.stringify(version)}; supported: ` +
      `${SUPPORTED_AT_MAJOR_VERSIONS.map((v) => `${v}.x`).join(', ')}. Update ei-gg or flash matching firmware.`,
    { context: { atVersion: version } },
  );
}
