import * as path from 'node:path';
import { ComponentProcess, demoModelEnv, demoRunnerSets, type Payload, solidImage } from '@ei-gg/testbench';
import { builtBin } from './built-bin';

/** Seven colours the demo model scores differently: a result's scores say which image it was. */
const COLOURS = [
  { r: 250, g: 10, b: 10 },
  { r: 10, g: 250, b: 10 },
  { r: 10, g: 10, b: 250 },
  { r: 200, g: 120, b: 10 },
  { r: 10, g: 120, b: 200 },
  { r: 120, g: 10, b: 200 },
  { r: 150, g: 150, b: 60 },
];
export const LOOP_LENGTH = COLOURS.length;

/** The seven images in `dir`/images; returns that directory. */
export async function writeColourLoop(dir: string): Promise<string> {
  const images = path.join(dir, 'images');
  for (const [i, colour] of COLOURS.entries()) await solidImage(path.join(images, `${i}.png`), colour);
  return images;
}

/**
 * The built linux-runner (stdout transport) with the demo `.eim` classifying a looping directory of the seven
 * images in `dir`/images, its lock in `dir`, short back-off and restart delays; `settings` add or override keys.
 */
export async function startLinuxRunner(
  dir: string,
  settings: Record<string, string>,
  inferenceMs: number,
): Promise<ComponentProcess> {
  const images = await writeColourLoop(dir);
  const args = ['--transport', 'stdout', ...demoRunnerSets(dir, { input: `images-loop:${images}`, ...settings })];
  return ComponentProcess.node(builtBin('linux-runner'), args, {
    env: demoModelEnv({ preset: 'image-classification', inferenceMs }),
    cwd: dir,
  });
}

/** Waits for the first lap, which tells each image's scores; returns where in the loop a result's image is. */
export async function learnLoop(runner: ComponentProcess): Promise<(p: Payload) => number> {
  const lap = [];
  for (let i = 1; i <= LOOP_LENGTH; i++)
    lap.push(await runner.next('/inference/output', (p) => p.total_inferences === i));
  const fingerprints = lap.map((m) => JSON.stringify(m.payload.c));
  if (new Set(fingerprints).size !== LOOP_LENGTH)
    throw new Error(`the demo model scored two images alike: ${fingerprints.join(' ')}`);
  return (p: Payload) => {
    const position = fingerprints.indexOf(JSON.stringify(p.c));
    if (position < 0) throw new Error(`a result that is none of the images: ${JSON.stringify(p)}`);
    return position;
  };
}

/** The pid of the runner's one model process. */
export function modelPid(runner: ComponentProcess): number {
  const models = runner.survivors().filter((p) => /demo-model\.js \S+model\.sock$/.test(p.command));
  if (models.length !== 1) throw new Error(`expected one model process, found ${JSON.stringify(models)}`);
  return models[0].pid;
}
