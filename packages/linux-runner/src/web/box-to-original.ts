import type { ModelInformation } from 'edge-impulse-linux';
import { FitMethodStudioMap } from 'edge-impulse-linux/build/library/classifier/image-classifier';
import { mapPredictionToOriginalImage } from 'edge-impulse-linux/build/shared/views/project/bounding-box-scaling';

export type ResizeMode = NonNullable<ModelInformation['modelParameters']['image_resize_mode']>;

export interface PixelArea {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface Size {
  width: number;
  height: number;
}

/**
 * A box in the model input's pixels (`resized`) mapped back to the original image's (`original`), undoing the
 * resize mode, with edge-impulse-linux's own mapping (what its preview and HTTP API do). Not rounded.
 */
export function boxToOriginal(box: PixelArea, resizeMode: ResizeMode, resized: Size, original: Size): PixelArea {
  const mapped = mapPredictionToOriginalImage(
    FitMethodStudioMap[resizeMode],
    {
      label: '',
      x: box.x / resized.width,
      y: box.y / resized.height,
      width: box.width / resized.width,
      height: box.height / resized.height,
    },
    {
      clientWidth: original.width,
      clientHeight: original.height,
      referenceWidth: resized.width,
      referenceHeight: resized.height,
    },
  );
  return { x: mapped.x, y: mapped.y, width: mapped.width, height: mapped.height };
}
