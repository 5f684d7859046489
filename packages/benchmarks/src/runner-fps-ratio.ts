import { bareClassifyLoop } from './bare-classify-loop';
import { startLinuxRunnerBin } from './linux-runner-bin';
import { nowMs, round } from './statistics';
import { withTimeout } from '@ei-gg/core';

/** A model's fixed cost per inference: the figure is what the component adds around it. */
const INFERENCE_MS = 20;
/** Frames before timing starts (model start, JIT, first publishes). */
const WARMUP_FRAMES = 10;

export interface RunnerFpsFigures {
  runner_fps_ratio: number;
  component_fps: number;
  /** edge-impulse-linux's own per-frame work, as its ImageClassifier does it: resize the image, classify. */
  baseline_fps: number;
  /** classify alone on already resized frames: the model's ceiling. */
  classify_only_fps: number;
  frames: number;
  inference_ms: number;
}

/**
 * linux-runner frames/s (the component process, images-loop input, every result published on the stdout
 * transport) against a bare loop of `LinuxImpulseRunner.classify` over the same frames with the same model,
 * both measured in this run: the ratio is the share of the model's throughput the component keeps.
 */
export async function runnerFpsRatio(frames: number): Promise<RunnerFpsFigures> {
  const baseline = await bareClassifyLoop(frames, INFERENCE_MS);
  const component = await componentFps(frames);
  return {
    runner_fps_ratio: round(component / baseline.resizeAndClassifyFps),
    component_fps: round(component, 1),
    baseline_fps: round(baseline.resizeAndClassifyFps, 1),
    classify_only_fps: round(baseline.classifyOnlyFps, 1),
    frames,
    inference_ms: INFERENCE_MS,
  };
}

export interface ComponentFpsOptions {
  /** Further configuration keys (`--set`). */
  settings?: Record<string, string>;
  /** Started with the component; timing starts at the first result after it resolved (and the warm-up). */
  ready?: () => Promise<void>;
}

/** The component's rate over `frames` published results, from the first after the warm-up (and `ready`). */
export async function componentFps(frames: number, options: ComponentFpsOptions = {}): Promise<number> {
  const component = startLinuxRunnerBin(INFERENCE_MS, { iotcore_backoff: '0', ...options.settings });
  try {
    let ready = options.ready === undefined;
    const readied = (options.ready?.() ?? Promise.resolve()).then(() => {
      ready = true;
    });
    let startedAt = 0;
    let first = 0;
    const done = new Promise<number>((resolve) => {
      component.onMessage((message) => {
        if (!message.topic.endsWith('/inference/output')) return;
        const n = message.payload.total_inferences!;
        if (first === 0 && ready && n >= WARMUP_FRAMES) {
          first = n;
          startedAt = nowMs();
        }
        if (first > 0 && n === first + frames) resolve((frames / (nowMs() - startedAt)) * 1000);
      });
    });
    const [fps] = await withTimeout(Promise.all([done, readied]), 120_000, `${frames} frames from the linux runner`);
    return fps;
  } finally {
    await component.stop();
  }
}
