/** A model input, pulled one item at a time so the model is never fed faster than it classifies. */
export interface InputSource<T> {
  /** For logs and errors: `images:/data/in`, `video:/x.mp4`, `camera`, ... */
  readonly description: string;
  /** The next item, or undefined once the input has ended; throws when the input failed. */
  next(): Promise<T | undefined>;
  /** Stops producing (ends GStreamer); a pending next() resolves undefined. */
  stop(): Promise<void>;
}

/** An encoded image (JPEG or PNG) for an image model. */
export interface Frame {
  data: Buffer;
  /** File name, or `frame-<n>` for a stream, for logs. */
  name: string;
}

/** One window of 16-bit audio samples for an audio model, and the newest slice of it (continuous mode). */
export interface AudioWindow {
  samples: number[];
  slice: number[];
}
