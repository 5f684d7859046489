import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import type { Sharp } from 'sharp';

export type Rgb = { r: number; g: number; b: number };

/** A solid colour image, PNG (lossless, so the demo model's scores are exact) or JPEG. */
export async function solidImage(file: string, colour: Rgb, size = 32): Promise<string> {
  mkdirSync(path.dirname(file), { recursive: true });
  const image = await solid(colour, size);
  await (file.endsWith('.png') ? image.png() : image.jpeg({ quality: 95 })).toFile(file);
  return file;
}

export interface Square {
  colour: Rgb;
  x: number;
  y: number;
  size: number;
}

/** A black PNG with solid squares on it: the demo model's object detection finds a box around each colour. */
export async function squaresImage(file: string, size: number, squares: Square[]): Promise<string> {
  mkdirSync(path.dirname(file), { recursive: true });
  const composites = await Promise.all(
    squares.map(async (s) => ({ input: await (await solid(s.colour, s.size)).png().toBuffer(), left: s.x, top: s.y })),
  );
  await (await solid({ r: 0, g: 0, b: 0 }, size)).composite(composites).png().toFile(file);
  return file;
}

/** sharp loaded on first use: whoever imports the testbench without drawing images never loads libvips. */
async function solid(background: Rgb, size: number): Promise<Sharp> {
  const { default: sharp } = await import('sharp');
  return sharp({ create: { width: size, height: size, channels: 3, background } });
}

export const RED: Rgb = { r: 255, g: 0, b: 0 };
export const GREEN: Rgb = { r: 0, g: 255, b: 0 };
export const BLUE: Rgb = { r: 0, g: 0, b: 255 };
export const WHITE: Rgb = { r: 255, g: 255, b: 255 };
