import type { InferenceCaches } from '../caches/inference-caches';
import type { ComponentKind } from '../component-kind';
import type { FeatureHost, OutputFeature } from './component-feature';

export interface InferenceOutputOptions {
  /** Live `publish_inference_base64_image`. */
  publishImage: () => boolean;
  /** The caches as configured (possibly none enabled); they follow the running model themselves. */
  caches: InferenceCaches;
}

/**
 * What happens to a published result beyond its payload: the frame in the payload (live switch), the s3 fields
 * of the running model, the pair stored into the caches. Also the cache commands, the caches' state in
 * `get_status` and the metrics message, and their fault notices on `command/output`.
 */
export function inferenceOutputFeature<K extends ComponentKind>(
  host: FeatureHost<K>,
  { caches, publishImage }: InferenceOutputOptions,
): OutputFeature {
  let unsubscribe: (() => void) | undefined;
  return {
    caches,
    output: {
      wantsImage: () => publishImage() || caches.enabled,
      publishImage,
      s3Fields: () => caches.s3Location() ?? 'unset',
      published: async (payload, image) => {
        if (caches.enabled) await caches.store(payload.id, JSON.stringify(payload), image);
      },
    },
    liveKeys: ['publish_inference_base64_image'],
    start: async () => {
      // A cache that stops caching (a full disk) says so once on `command/output`, and once when it resumes.
      unsubscribe = caches.onReport((reply) => {
        host
          .reply(reply)
          .catch((err) => host.context.logger.error('could not publish a cache notice', { reply: reply.result, err }));
      });
    },
    halt: () => {
      unsubscribe?.();
      unsubscribe = undefined;
    },
    status: () => ({ caches: caches.status() }),
    metrics: () => ({ caches: caches.status() }),
  };
}
