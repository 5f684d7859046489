import type { InferenceResult, Logger } from '@ei-gg/core';
import type { Frame } from '../input/input-source';
import type { ClassifyResponse } from '../model/model-session';

/** The image the model classified (after resizing to its input), encoded only when someone asks, once. */
export interface ModelInputImage {
  width: number;
  height: number;
  /** JPEG at quality 90, the same bytes the published `image` carries. */
  jpeg(): Promise<Buffer>;
}

/** One inference as the runner's own parts (preview page, HTTP API) see it, beside what the relay publishes. */
export interface InferenceEvent {
  result: InferenceResult;
  /** The model's answer as edge-impulse-linux maps it (the original runner's WebSocket messages carry this). */
  response: ClassifyResponse;
  /** Wall time of the classification, in ms (monotonic clock). */
  timeMs: number;
  /** For image models: the model input and the original frame. */
  image?: ModelInputImage;
  frame?: Frame;
}

export type InferenceListener = (event: InferenceEvent) => void;

/**
 * Every inference of the input loop, handed to the listeners after the relay took it. Listeners run in line and
 * must not block: whatever is slow (encoding a frame for a page) they do on their own time, at their own rate.
 */
export class InferenceEvents {
  private readonly listeners = new Set<InferenceListener>();

  constructor(private readonly logger: Logger) {}

  /** Whether anyone listens: without listeners the pipeline builds no event. */
  get watched(): boolean {
    return this.listeners.size > 0;
  }

  subscribe(listener: InferenceListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(event: InferenceEvent): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch (error) {
        this.logger.error('inference listener failed', { error });
      }
    }
  }
}

/** A lazily encoded, memoised JPEG of a sharp image. */
export function modelInputImage(
  image: { jpeg(options: { quality: number }): { toBuffer(): Promise<Buffer> } },
  width: number,
  height: number,
): ModelInputImage {
  let encoded: Promise<Buffer> | undefined;
  return { width, height, jpeg: () => (encoded ??= image.jpeg({ quality: 90 }).toBuffer()) };
}
