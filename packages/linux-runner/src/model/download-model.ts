import type { Logger } from '@ei-gg/core';
import { LinuxRunnerError } from '../errors';
import { ModelStore } from './model-store';
import type { DeploymentChoice, StudioApi } from './studio-api';

export interface DownloadModelOptions {
  api: StudioApi;
  store: ModelStore;
  /** The build for this device: its deployment type, and the variant, engine and impulse when forced. */
  choice: DeploymentChoice;
  logger: Logger;
}

/**
 * The name a build is stored under: its deployment type, then what was forced, so that a forced variant never
 * reuses another variant's model (`runner-linux-aarch64-int8-impulse2`).
 */
export function storedBuildName({ type, variant, engine, impulseId }: DeploymentChoice): string {
  return [type, variant, engine, impulseId !== undefined ? `impulse${impulseId}` : undefined].filter(Boolean).join('-');
}

/**
 * The project's model for this device: the stored one when it is Studio's latest deploy version, else
 * downloaded (built first when Studio has no build of this type). When Studio cannot deliver, the newest
 * model already stored runs instead, so an outage or a broken build never takes a working device down.
 */
export async function downloadModel({ api, store, choice, logger }: DownloadModelOptions): Promise<string> {
  const type = storedBuildName(choice);
  let projectId: number | undefined;
  try {
    projectId = await api.projectId();
    let version = await api.latestVersion(projectId, choice);
    if (version !== undefined && store.has(projectId, version, type)) {
      logger.info('model is up to date; not downloading', { projectId, version, type });
      return store.pathOf(projectId, version, type);
    }
    if (version === undefined) {
      logger.info('Studio has no build for this device yet; building it', { projectId, type });
      await api.build(projectId, choice);
      version = await api.latestVersion(projectId, choice);
      if (version === undefined)
        throw new LinuxRunnerError('DOWNLOAD_FAILED', `Studio reports no ${type} deployment after a successful build`, {
          context: { projectId, type },
        });
    }
    logger.info('downloading model', { projectId, version, type });
    const file = await store.write(projectId, version, type, await api.download(projectId, choice));
    logger.info('model downloaded', { projectId, version, type, file });
    return file;
  } catch (err) {
    const previous = await store.newest(type, projectId);
    if (!previous) {
      if (err instanceof LinuxRunnerError) throw err;
      throw new LinuxRunnerError('DOWNLOAD_FAILED', `downloading the model failed: ${(err as Error).message}`, {
        context: { projectId, type },
        cause: err,
      });
    }
    logger.warn('downloading the model failed; running the newest model already here', { err, ...previous });
    return previous.file;
  }
}
