import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { LinuxRunnerError } from '../errors';

/**
 * The V4L2 device of the `camera` key: a device path as is, or the camera whose name (as the kernel reports
 * it in /sys/class/video4linux/<dev>/name) matches, case-insensitively, first exact then partial.
 */
export function resolveCamera(camera: string, sysfs = '/sys/class/video4linux', dev = '/dev'): string {
  if (camera.startsWith('/')) return camera;
  const devices = listDevices(sysfs);
  const wanted = camera.toLowerCase();
  const found =
    devices.find((d) => d.name.toLowerCase() === wanted) ?? devices.find((d) => d.name.toLowerCase().includes(wanted));
  if (found) return join(dev, found.device);
  throw new LinuxRunnerError(
    'CAMERA_NOT_FOUND',
    `no camera named "${camera}"; cameras here: ${devices.map((d) => `${d.name} (${join(dev, d.device)})`).join(', ') || 'none'}`,
    {
      context: { camera },
    },
  );
}

function listDevices(sysfs: string): Array<{ device: string; name: string }> {
  let entries: string[];
  try {
    entries = readdirSync(sysfs).sort();
  } catch {
    return [];
  }
  return entries.flatMap((device) => {
    try {
      return [{ device, name: readFileSync(join(sysfs, device, 'name'), 'utf8').trim() }];
    } catch {
      return [];
    }
  });
}
