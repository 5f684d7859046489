import { inferenceOutputFeature, recoverModelSockets, runnerFeatures, type ComponentDefinition } from '@ei-gg/core';
import { openCaches } from './caches/open-caches';
import { resolveModelFile } from './model/resolve-model-file';
import { disableImageOperationCache } from './pipeline/image-operation-cache';
import { oneImpulseRunner } from './pipeline/one-impulse-runner';
import { RunnerPipeline, type RunnerPipelineOptions } from './pipeline/runner-pipeline';
import { eiparamsChangeLog } from './settings/eiparams-change-log';
import { runnerConfigInterpretation } from './settings/runner-config-interpretation';
import { attachHttpApi } from './web/http-api/http-api-server';
import { attachPreview } from './web/preview/attach-preview';
import { WebEndpoints } from './web/web-endpoints';

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
  // The web servers the pipeline's attachments start, for get_status.
  const endpoints = new WebEndpoints();
  const pipelineOptions: RunnerPipelineOptions = {
    resolveModelFile:
      options.resolveModelFile ?? ((services, settings) => resolveModelFile(services, workDir, settings.model)),
    restartBaseMs: options.restartBaseMs ?? 500,
    impulseRunner: oneImpulseRunner(),
    attachments: [attachPreview(endpoints), attachHttpApi(endpoints)],
  };
  return {
    kind: 'linux-runner',
    features: async (host) => {
      const caches = await openCaches(host.context, workDir, () => host.modelInfo());
      const output = inferenceOutputFeature(host, {
        caches,
        publishImage: () => host.config.current.publish_inference_base64_image,
      });
      const shared = runnerFeatures(host);
      return { ...shared, output, more: [...(shared.more ?? []), eiparamsChangeLog(host), endpoints.feature()] };
    },
    // Everything else (model, input, caches) restarts the pipeline.
    liveKeys: ['ei_poll_sleeptime_ms'],
    createPipeline: (services) => new RunnerPipeline(services, pipelineOptions),
    recover: [recoverModelSockets()],
    // The flags of `eiparams`: in --check-config, their warnings logged at start, their problems stop it.
    interpret: runnerConfigInterpretation,
  };
}
