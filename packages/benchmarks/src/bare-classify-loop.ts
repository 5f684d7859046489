import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ImageClassifier, LinuxImpulseRunner } from 'edge-impulse-linux';
import { DEMO_IMAGES, DEMO_MODEL, demoModelEnv } from './demo-model';
import { nowMs } from './statistics';

/** Frames before timing starts (model start, JIT). */
const WARMUP_FRAMES = 10;

export interface BareLoopFigures {
  /** Frames/s of resize + classify, as edge-impulse-linux's own ImageClassifier does it. */
  resizeAndClassifyFps: number;
  /** ms of each timed resize + classify frame, in order. */
  frameMs: number[];
  /** Frames/s of classify alone on already resized frames: the model's ceiling. */
  classifyOnlyFps: number;
}

/**
 * The baseline of the linux runner's figures: a bare loop of `ImageClassifier.resizeImage` +
 * `LinuxImpulseRunner.classify` over the demo images with the demo model at `inferenceMs` per inference,
 * then `classify` alone over the same frames already resized.
 */
export async function bareClassifyLoop(frames: number, inferenceMs: number): Promise<BareLoopFigures> {
  const images = readdirSync(DEMO_IMAGES)
    .sort()
    .map((name) => readFileSync(join(DEMO_IMAGES, name)));
  Object.assign(process.env, demoModelEnv(inferenceMs)); // LinuxImpulseRunner spawns the model with this process's environment
  const runner = new LinuxImpulseRunner(DEMO_MODEL);
  try {
    const model = await runner.init();
    const frame = async (i: number) => (await ImageClassifier.resizeImage(model, images[i % images.length])).features;
    for (let i = 0; i < WARMUP_FRAMES; i++) await runner.classify(await frame(i));
    const frameMs: number[] = [];
    let start = nowMs();
    for (let i = 0; i < frames; i++) {
      const frameStart = nowMs();
      await runner.classify(await frame(i));
      frameMs.push(nowMs() - frameStart);
    }
    const resizeAndClassifyFps = (frames / (nowMs() - start)) * 1000;
    const resized = await Promise.all(images.map((_, i) => frame(i)));
    start = nowMs();
    for (let i = 0; i < frames; i++) await runner.classify(resized[i % resized.length]);
    return { resizeAndClassifyFps, frameMs, classifyOnlyFps: (frames / (nowMs() - start)) * 1000 };
  } finally {
    await runner.stop();
    delete process.env.EI_DEMO_MODEL;
  }
}
