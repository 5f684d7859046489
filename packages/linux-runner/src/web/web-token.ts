import type { HostServices } from '@ei-gg/core';
import { AccessGuard } from './access-guard';

/**
 * The access token of the preview page and the HTTP API, shared by both: a new random one per pipeline start.
 * Registered with the logger's secrets so that no log line can carry it.
 */
export function resolveWebToken(services: HostServices<'linux-runner'>): Promise<string> {
  const token = AccessGuard.randomToken();
  services.context.logger.secrets.add(token);
  return Promise.resolve(token);
}
