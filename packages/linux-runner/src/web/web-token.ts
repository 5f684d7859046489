import { apiKeySecretSource, readSecretValue, type HostServices } from '@ei-gg/core';
import { AccessGuard } from './access-guard';

/**
 * The access token of the preview page and the HTTP API, shared by both: with `web_token_secret_key` set, that
 * key of the `ei_sm_secret_id` secret (read as the API key is: through the nucleus under Greengrass), so it stays
 * the same across restarts and can be handed out; else a new random one per pipeline start. Registered with the
 * logger's secrets either way, so that no log line can carry it.
 */
export async function resolveWebToken(services: HostServices<'linux-runner'>): Promise<string> {
  const { context, config } = services;
  const { web_token_secret_key: jsonKey, ei_sm_secret_id: secretId } = config.current;
  if (!jsonKey) {
    const token = AccessGuard.randomToken();
    context.logger.secrets.add(token);
    return token;
  }
  const source = apiKeySecretSource({ greengrass: context.greengrass, env: context.env, logger: context.logger });
  try {
    return await readSecretValue(
      source,
      { secretId, jsonKey, setting: 'web_token_secret_key' },
      context.logger.secrets,
    );
  } finally {
    source.close();
  }
}
