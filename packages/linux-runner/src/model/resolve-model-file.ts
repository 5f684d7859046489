import { constants, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { apiKeySecretSource, readApiKey, type HostServices } from '@ei-gg/core';
import { RunnerDownloader } from 'edge-impulse-linux/build/cli/linux/runner-downloader';
import { LinuxRunnerError } from '../errors';
import type { ModelSettings } from '../settings/runner-settings';
import { downloadModel } from './download-model';
import { ModelStore } from './model-store';
import { StudioApi, STUDIO_URL } from './studio-api';

/** `ei_local_model_file` (or `--model-file`) when set: it must exist and be executable (a `.eim` is a Linux executable). */
export async function localModelFile(file: string): Promise<string> {
  try {
    await fs.access(file, constants.X_OK);
  } catch (err) {
    const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
    throw new LinuxRunnerError(
      'MODEL_MISSING',
      missing
        ? `model file ${file} (ei_local_model_file, or --model-file in eiparams) not found`
        : `model file ${file} (ei_local_model_file, or --model-file in eiparams) is not executable: chmod +x it`,
      {
        context: { modelFile: file },
        cause: err,
      },
    );
  }
  return file;
}

/**
 * The model to run: the local model file of the settings, or the project's model from Studio (the target,
 * variant, engine and impulse the flags force, else this device's target), with the API key read from
 * the secret (through the nucleus under Greengrass) and kept in memory only. `EI_GG_STUDIO_URL` overrides
 * Studio's address (a local stand-in in tests).
 */
export async function resolveModelFile(
  services: HostServices<'linux-runner'>,
  workDir: string,
  model: ModelSettings,
): Promise<string> {
  const { context, config } = services;
  const current = config.current;
  if (model.file) return localModelFile(model.file);
  // On Nucleus Lite (no GetSecretValue) from Secrets Manager with the token exchange service's credentials.
  const source = apiKeySecretSource({ greengrass: context.greengrass, env: context.env, logger: context.logger });
  let apiKey: string;
  try {
    apiKey = await readApiKey(
      source,
      { secretId: current.ei_sm_secret_id, jsonKey: current.ei_sm_secret_name },
      context.logger.secrets,
    );
  } finally {
    source.close();
  }
  // The deployment type edge-impulse-linux-runner picks: CPU architecture, and the accelerator where one is detected.
  const type = model.target ?? (await RunnerDownloader.getDeploymentType(undefined));
  const { variant, engine, impulseId } = model;
  return downloadModel({
    api: new StudioApi({ baseUrl: context.env.EI_GG_STUDIO_URL ?? STUDIO_URL, apiKey }),
    store: new ModelStore(path.join(workDir, 'models')),
    choice: { type, variant, engine, impulseId },
    logger: context.logger.child({ part: 'download' }),
  });
}
