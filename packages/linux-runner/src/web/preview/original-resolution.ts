import type { ModelInformation } from 'edge-impulse-linux';
import { boxToOriginal, type PixelArea, type Size } from '../box-to-original';
import sharp from 'sharp';
import type { Frame } from '../../input/input-source';
import type { ClassifyResponse } from '../../model/model-session';

type Result = ClassifyResponse['result'];

/**
 * `--preview-original-resolution`, as edge-impulse-linux's runner does it: the page gets the frames as captured
 * (not the model's input), and the boxes, tracked objects and anomaly cells of the `classification` messages in
 * that frame's pixels, undoing the model's resize mode. The frame size is read from the frames themselves (a
 * stream may change it) when one is sent, and once before.
 */
export class OriginalResolution {
  private size: Size | undefined;
  private measuring = false;

  /** The frame's JPEG for the page (as captured; other formats encoded), its size noted for mapping results. */
  image(frame: Frame): { jpeg(): Promise<Buffer> } {
    return {
      jpeg: async () => {
        const image = sharp(frame.data);
        const { format, width, height } = await image.metadata();
        if (width && height) this.size = { width, height };
        return format === 'jpeg' ? frame.data : image.jpeg({ quality: 90 }).toBuffer();
      },
    };
  }

  /** The result in the original frame's pixels; as the model gave it until the frame size is known. */
  map(result: Result, info: ModelInformation, frame: Frame | undefined): Result {
    if (!this.size) {
      if (frame && !this.measuring) this.measure(frame);
      return result;
    }
    const size = this.size;
    const scale = <T extends PixelArea>(boxes: T[] | undefined) =>
      boxes?.map((box) => ({ ...box, ...scaleBox(box, info, size) }));
    return {
      ...result,
      ...(result.bounding_boxes ? { bounding_boxes: scale(result.bounding_boxes) } : {}),
      ...(result.object_tracking ? { object_tracking: scale(result.object_tracking) } : {}),
      ...(result.visual_anomaly_grid ? { visual_anomaly_grid: scale(result.visual_anomaly_grid) } : {}),
    };
  }

  private measure(frame: Frame): void {
    this.measuring = true;
    sharp(frame.data)
      .metadata()
      .then(({ width, height }) => {
        if (width && height) this.size ??= { width, height };
      })
      .catch(() => undefined) // an undecodable frame: the next one is measured
      .finally(() => {
        this.measuring = false;
      });
  }
}

/** One box from the model input's pixels to the frame's, rounded, as the original's scaleAndMapBbs. */
export function scaleBox(box: PixelArea, info: ModelInformation, frame: Size): PixelArea {
  const { image_input_width: width, image_input_height: height, image_resize_mode: mode } = info.modelParameters;
  const mapped = boxToOriginal(box, mode ?? 'squash', { width, height }, frame);
  return {
    x: Math.round(mapped.x),
    y: Math.round(mapped.y),
    width: Math.round(mapped.width),
    height: Math.round(mapped.height),
  };
}
