import type { ModelInfo } from '@ei-gg/core';
import type { ModelInformation } from 'edge-impulse-linux';

/** `get_model_info`: the model's name and version from its hello, and its parameters as the model reports them. */
export function modelInfoFromHello(info: ModelInformation, modelFile: string): ModelInfo {
  const { project, modelParameters, inferencingEngine } = info;
  return {
    model_name: project.name,
    model_version: `v${project.deploy_version}`,
    model_params: {
      ...modelParameters,
      project_id: project.id,
      project_owner: project.owner,
      ...(inferencingEngine?.inferencing_engine !== undefined
        ? { inferencing_engine: inferencingEngine.inferencing_engine }
        : {}),
      model_file: modelFile,
    },
  };
}
