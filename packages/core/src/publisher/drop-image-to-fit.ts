import type { FitPayload } from './publisher';

/**
 * For inference payloads: when a message with a base64 image is over the size limit, publish the result
 * without the image and say so in `image_omitted`, rather than losing the whole inference.
 */
export const dropImageToFit: FitPayload = (payload, limitBytes) => {
  if (typeof payload.image !== 'string') return undefined;
  const { image, ...rest } = payload;
  return {
    ...rest,
    image_omitted: `image of ${image.length} base64 characters would exceed the ${limitBytes}-byte message limit`,
  };
};
