import { inferenceOutputFeature, recoverModelSockets, runnerFeatures, type ComponentDefinition } from '@ei-gg/core';
import { openCaches } from './caches/open-caches';
import { resolveModelFile } from './model/resolve-model-file';
import { disableImageOperationCache } from './pipeline/image-operation-cache';
import { oneImpulseRunner } from './pipeline/one-impulse-runner';
import { RunnerPipeline, type RunnerPipelineOptions } from './pipeline/runner-pipeline';

export interface LinuxRunnerOptions extends Partial<Omit<RunnerPipelineOptions, 'impulseRunner'>> {
  /** Where downloads and the S3 upload spool live; the Greengrass work directory is the process's cwd. */
  workDir?: string;
}

/**
 * EdgeImpulseLinuxRunnerServiceComponent: the shared host with the runners' features, plus a model and its input,
 * and the caches with image publishing and s3 fields. Its Recover step also cleans up crashed model sockets.
 */
export function linuxRunnerComponent(options: LinuxRunnerOptions = {}): ComponentDefinition<'linux-runner'> {
  const workDir = options.workDir ?? process.cwd();
  disableImageOperationCache();
  const pipelineOptions: RunnerPipelineOptions = {
    resolveModelFile: options.resolveModelFile ?? ((services) => resolveModelFile(services, workDir)),
    restartBaseMs: options.restartBaseMs ?? 500,
    impulseRunner: oneImpulseRunner(),
  };
  return {
    kind: 'linux-runner',
    features: async (host) => {
      const caches = await openCaches(host.context, workDir, () => host.modelInfo());
      const output = inferenceOutputFeature(host, {
        caches,
        publishImage: () => host.config.current.publish_inference_base64_image,
      });
      return { ...runnerFeatures(host), output };
    },
    // Everything else (model, input, caches) restarts the pipeline.
    liveKeys: ['ei_poll_sleeptime_ms'],
    createPipeline: (services) => new RunnerPipeline(services, pipelineOptions),
    recover: [recoverModelSockets()],
  };
}
