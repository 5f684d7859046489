import type { ComponentDefinition } from '@ei-gg/core';
import { openCaches } from './caches/open-caches';
import { resolveModelFile } from './model/resolve-model-file';
import { RunnerPipeline, type RunnerPipelineOptions } from './pipeline/runner-pipeline';
import { RunnerShared } from './runner-shared';

export interface LinuxRunnerOptions extends Partial<RunnerPipelineOptions> {
  /** Where downloads and the S3 upload spool live; the Greengrass work directory is the process's cwd. */
  workDir?: string;
}

/** EdgeImpulseLinuxRunnerServiceComponent: the shared host plus a model, its input and the caches. */
export function linuxRunnerComponent(options: LinuxRunnerOptions = {}): ComponentDefinition<'linux-runner'> {
  const shared = new RunnerShared();
  const workDir = options.workDir ?? process.cwd();
  const pipelineOptions: RunnerPipelineOptions = {
    resolveModelFile: options.resolveModelFile ?? ((services) => resolveModelFile(services, workDir)),
    onInputEnded: options.onInputEnded ?? (() => undefined),
    restartBaseMs: options.restartBaseMs ?? 500,
  };
  return {
    kind: 'linux-runner',
    // The base64 switch is read per inference; everything else (model, input, caches) restarts the pipeline.
    liveKeys: ['publish_inference_base64_image', 'ei_poll_sleeptime_ms'],
    createCaches: async (context) => {
      const { caches, s3 } = await openCaches(context, workDir);
      shared.caches = caches;
      shared.s3 = s3;
      return caches;
    },
    inferenceOptions: (context) => shared.inferenceOptions(context),
    createPipeline: (services) => new RunnerPipeline(services, shared, pipelineOptions),
  };
}
