import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { LinuxServiceError } from '../errors';

const CLIENT_ENTRY = 'edge-impulse-linux/build/cli/linux/linux.js';

/** The bundled `edge-impulse-linux` data-collection client (its `edge-impulse-linux` bin), never a global install. */
export function bundledClientEntry(): string {
  try {
    return require.resolve(CLIENT_ENTRY);
  } catch (err) {
    throw new LinuxServiceError(
      'LINUX_SERVICE_CLIENT_MISSING',
      `the edge-impulse-linux client (${CLIENT_ENTRY}) is not installed with the component`,
      {
        cause: err,
      },
    );
  }
}

/** The client's package version, for `get_model_info`; undefined for a stand-in client outside the package. */
export function clientVersion(entry: string): string | undefined {
  try {
    const manifest = JSON.parse(readFileSync(join(dirname(entry), '..', '..', '..', 'package.json'), 'utf8')) as {
      name?: string;
      version?: string;
    };
    return manifest.name === 'edge-impulse-linux' ? manifest.version : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Preloaded into the client: hands it the API key and answers its prompts (see the file). Resolved like the
 * client, so it is found both in the workspace and in the packaged artifact (app/node_modules/@ei-gg/linux-service/).
 */
export const CLIENT_BOOTSTRAP = require.resolve('@ei-gg/linux-service/bootstrap/client-bootstrap.js');
