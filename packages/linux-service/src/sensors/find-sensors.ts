import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { SensorsFound } from '../client/client-arguments';

export interface SensorPaths {
  /** Where `video<N>` device nodes are looked for (`/dev`). */
  devDir: string;
  /** ALSA's list of sound cards (`/proc/asound/cards`). */
  soundCards: string;
}

export const SYSTEM_SENSOR_PATHS: SensorPaths = { devDir: '/dev', soundCards: '/proc/asound/cards' };

/**
 * Cameras and microphones the way the client looks for them, cheaply: a camera is a `/dev/video*` node (the
 * client asks gst-device-monitor, which takes seconds and may open the device); a microphone is a card in
 * `/proc/asound/cards`, or, without that file, one listed by `arecord -l` (the client's own order). Unlike
 * the client, no ALSA at all counts as no microphone (the client would offer a "default" one that fails).
 */
export function findSensors(paths: SensorPaths = SYSTEM_SENSOR_PATHS): SensorsFound {
  return { videoDevices: videoDevices(paths.devDir), hasMicrophone: hasMicrophone(paths.soundCards) };
}

function videoDevices(devDir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(devDir);
  } catch {
    return [];
  }
  return names
    .filter((name) => /^video\d+$/.test(name))
    .sort((a, b) => Number(a.slice(5)) - Number(b.slice(5)))
    .map((name) => join(devDir, name));
}

function hasMicrophone(soundCards: string): boolean {
  let cards: string;
  try {
    cards = readFileSync(soundCards, 'utf8');
  } catch {
    const listed = spawnSync('arecord', ['-l'], { encoding: 'utf8', timeout: 3000 });
    return listed.status === 0 && /^card \d+:/m.test(listed.stdout);
  }
  return /^\s*\d+ .*\]: /m.test(cards);
}
