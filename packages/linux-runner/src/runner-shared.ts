import type { ComponentContext, InferenceCaches, InferenceExtras, ModelInfo, S3Cache } from '@ei-gg/core';
import { LinuxImpulseRunner } from 'edge-impulse-linux';

/** The model currently running, as commands and payloads describe it. */
export interface RunningModel {
  info: ModelInfo;
  /** `<model_name>_v<version>`: the S3 cache folder. */
  s3Prefix: string;
}

/**
 * What outlives a pipeline restart: the caches (opened once, before the host starts), the model that is
 * running (for the payload's s3 fields), and one LinuxImpulseRunner (each instance adds a process 'exit'
 * listener that is never removed, so making one per restart would leak them).
 */
export class RunnerShared {
  caches: InferenceCaches | undefined;
  s3: S3Cache | undefined;
  private model: RunningModel | undefined;
  private runner: LinuxImpulseRunner | undefined;

  impulseRunner(modelFile: string): LinuxImpulseRunner {
    this.runner ??= new LinuxImpulseRunner(modelFile);
    return this.runner;
  }

  setModel(model: RunningModel): void {
    this.model = model;
    this.s3?.setPrefix(model.s3Prefix);
  }

  /** Whether a frame must be encoded: published, or stored by a cache. */
  wantsImage(context: ComponentContext<'linux-runner'>): boolean {
    return context.config.current.publish_inference_base64_image || Boolean(this.caches?.enabled);
  }

  /** The host's inference pipeline additions: s3 fields, the live base64 switch, caching what was published. */
  inferenceOptions(context: ComponentContext<'linux-runner'>): InferenceExtras {
    return {
      s3Fields: () => (this.s3 && this.model ? { bucket: this.s3.bucket, prefix: `${this.model.s3Prefix}/` } : 'unset'),
      publishImage: () => context.config.current.publish_inference_base64_image,
      onPublished: async (payload, image) => {
        if (this.caches?.enabled) await this.caches.store(payload.id, JSON.stringify(payload), image);
      },
    };
  }
}
