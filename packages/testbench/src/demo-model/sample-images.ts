import { join } from 'node:path';
import { solidImage } from '../images/solid-images';

/** Solid colours: the demo model's image classification scores them red, green, blue exactly. */
export const SAMPLE_IMAGES = [
  { name: '1.png', background: { r: 255, g: 0, b: 0 }, scores: { blue: 0, green: 0, red: 1 } },
  { name: '2.png', background: { r: 0, g: 255, b: 0 }, scores: { blue: 0, green: 1, red: 0 } },
  { name: '3.png', background: { r: 0, g: 0, b: 255 }, scores: { blue: 1, green: 0, red: 0 } },
];

/** Writes SAMPLE_IMAGES (48x48 PNGs) into `directory`, for the linux-runner's `images:` input. */
export async function writeSampleImages(directory: string): Promise<void> {
  for (const { name, background } of SAMPLE_IMAGES) await solidImage(join(directory, name), background, 48);
}
