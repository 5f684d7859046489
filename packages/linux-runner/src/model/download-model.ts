import type { Logger } from '@ei-gg/core';
import { LinuxRunnerError } from '../errors';
import { ModelStore } from './model-store';
import type { StudioApi } from './studio-api';

export interface DownloadModelOptions {
  api: StudioApi;
  store: ModelStore;
  /** Deployment type for this device, e.g. `runner-linux-aarch64`. */
  type: string;
  logger: Logger;
}

/**
 * The project's model for this device: the stored one when it is Studio's latest deploy version, else
 * downloaded (built first when Studio has no build of this type). When Studio cannot deliver, the newest
 * model already stored runs instead, so an outage or a broken build never takes a working device down.
 */
export async function downloadModel({ api, store, type, logger }: DownloadModelOptions): Promise<string> {
  let projectId: number | undefined;
  try {
    projectId = await api.projectId();
    let version = await api.latestVersion(projectId, type);
    if (version !== undefined && store.has(projectId, version, type)) {
      logger.info('model is up to date; not downloading', { projectId, version, type });
      return store.pathOf(projectId, version, type);
    }
    if (version === undefined) {
      logger.info('Studio has no build for this device yet; building it', { projectId, type });
      await api.build(projectId, type);
      version = await api.latestVersion(projectId, type);
      if (version === undefined)
        throw new LinuxRunnerError('DOWNLOAD_FAILED', `Studio reports no ${type} deployment after a successful build`, {
          context: { projectId, type },
        });
    }
    logger.info('downloading model', { projectId, version, type });
    const file = await store.write(projectId, version, type, await api.download(projectId, type));
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
