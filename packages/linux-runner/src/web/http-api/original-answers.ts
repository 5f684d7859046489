import type { ImageClassifier, ModelInformation } from 'edge-impulse-linux';
import { hasVisualAd } from 'edge-impulse-linux/build/cli-common/model-monitor';
import { boxToOriginal, type PixelArea } from '../box-to-original';
import type { ClassifyResponse, LearnBlockThreshold } from '../../model/model-session';

/*
 * The answers of edge-impulse-linux-runner's HTTP server (`--run-http-server`, startApiServer in
 * edge-impulse-linux 1.25.2 build/cli/linux/runner-utils.js), shape for shape, so that its clients work unchanged.
 */

export type ResizedImage = Awaited<ReturnType<typeof ImageClassifier.resizeImage>>;

/** Headers on every answer (the original sets them on all responses; here only on requests that passed the guard). */
export function projectHeaders(info: ModelInformation): Record<string, string> {
  return {
    'x-ei-owner': info.project.owner,
    'x-ei-project-name': info.project.name,
    'x-ei-project-version': String(info.project.deploy_version),
  };
}

/** The original's JSON formatting: 4-space indent and a newline. */
export function originalJson(value: unknown): string {
  return JSON.stringify(value, null, 4) + '\n';
}

/** `GET /api/info`. */
export function infoAnswer(info: ModelInformation): string {
  return originalJson({
    project: info.project,
    modelParameters: { has_visual_anomaly_detection: hasVisualAd(info), ...info.modelParameters },
  });
}

/** `POST /api/features`: the model's answer, classification scores under the min score set to 0 (as Studio does). */
export function featuresAnswer(response: ClassifyResponse, thresholds: readonly LearnBlockThreshold[]): string {
  zeroScoresBelowMinScore(response, thresholds);
  return originalJson(response);
}

/**
 * `POST /api/image`: as features, with boxes and anomaly grid cells mapped back to the uploaded image's pixels,
 * and `resizeMode` and `resized` so a client can draw them (and the crop of fit-shortest).
 */
export function imageAnswer(
  response: ClassifyResponse,
  thresholds: readonly LearnBlockThreshold[],
  info: ModelInformation,
  resized: ResizedImage,
): string {
  zeroScoresBelowMinScore(response, thresholds);
  const resizeMode = info.modelParameters.image_resize_mode ?? 'none';
  const resizedSize = { width: resized.newWidth, height: resized.newHeight };
  const originalSize = { width: resized.originalWidth, height: resized.originalHeight };
  const toOriginal = (box: PixelArea) => Object.assign(box, boxToOriginal(box, resizeMode, resizedSize, originalSize));
  (response.result.bounding_boxes ?? []).forEach(toOriginal);
  (response.result.visual_anomaly_grid ?? []).forEach(toOriginal);
  response.result.resizeMode = resizeMode;
  response.result.resized = {
    originalWidth: resized.originalWidth,
    originalHeight: resized.originalHeight,
    newWidth: resized.newWidth,
    newHeight: resized.newHeight,
  };
  return originalJson(response);
}

/** The classification learn block's `min_score` (0.001 when it has none), as the original's getClassificationMinScore. */
function zeroScoresBelowMinScore(response: ClassifyResponse, thresholds: readonly LearnBlockThreshold[]): void {
  const block = thresholds.find((t) => t.type === 'classification');
  const minScore = typeof block?.min_score === 'number' ? block.min_score : 0.001;
  const scores = response.result.classification ?? {};
  for (const [label, score] of Object.entries(scores)) if (score < minScore) scores[label] = 0;
}
