import sharp from 'sharp';

/**
 * Turns off libvips's operation cache, process-wide (edge-impulse-linux's ImageClassifier resizes with the same
 * sharp). By default it keeps the last 100 operations and their pixels (up to 50 MB) to answer a repeated
 * operation on the same input; every frame of a camera or stream is new, so it only held memory here.
 */
export function disableImageOperationCache(): void {
  sharp.cache(false);
}
