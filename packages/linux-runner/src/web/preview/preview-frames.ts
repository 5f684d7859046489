import type { ModelInputImage } from '../../pipeline/inference-events';

/** At most this many frames a second reach the page: enough to aim a camera, little work for the device. */
export const PREVIEW_MAX_FPS = 5;

/**
 * Hands the page a frame now and then: at most PREVIEW_MAX_FPS, and never while the previous one is still being
 * encoded or sent, so inferences keep their pace whatever the page does. The JPEG is the model input the
 * inference saw (memoised: when the runner publishes images it is encoded once for both), or the frame as
 * captured (see OriginalResolution).
 */
export class PreviewFrames {
  private busy = false;
  private nextAt = 0;

  constructor(
    /** Gets the frame as a `data:` URL, with what the model found in it. */
    private readonly deliver: (dataUrl: string, result: unknown) => void,
    private readonly onError: (error: unknown) => void,
    private readonly clock: () => number = () => performance.now(),
  ) {}

  /** Called per inference while someone watches the camera preview; returns at once. */
  offer(image: Pick<ModelInputImage, 'jpeg'>, result: unknown): void {
    const now = this.clock();
    if (this.busy || now < this.nextAt) return;
    this.busy = true;
    this.nextAt = now + 1000 / PREVIEW_MAX_FPS;
    image
      .jpeg()
      .then((jpeg) => this.deliver(`data:image/jpeg;base64,${jpeg.toString('base64')}`, result))
      .catch(this.onError)
      .finally(() => {
        this.busy = false;
      });
  }
}
