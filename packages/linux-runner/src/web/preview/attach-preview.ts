import type { AttachToRunner } from '../../pipeline/runner-attachment';
import { AccessGuard } from '../access-guard';
import type { WebEndpoints } from '../web-endpoints';
import type { WebServerSettings } from '../../settings/runner-settings';
import { OriginalResolution } from './original-resolution';
import { PreviewClients } from './preview-clients';
import { PreviewServer } from './preview-server';

/** The preview's settings; `originalResolution` is `--preview-original-resolution` (eiparams) when given. */
interface PreviewSettings extends WebServerSettings {
  originalResolution?: boolean;
}

/**
 * The live preview page (the original runner's `http://<device>:4912`) while `preview_port` is not `off`. Its URL,
 * with the access token when the page listens beyond loopback, goes to `get_status` (`web.preview`).
 */
export function attachPreview(endpoints: WebEndpoints): AttachToRunner {
  return async (context) => {
    const preview: PreviewSettings = context.settings.preview;
    const { port, host } = preview;
    if (port === 'off') return undefined;
    const guard = new AccessGuard(await context.webToken(), host);
    const log = context.logger.child({ part: 'preview' });
    const original = preview.originalResolution ? new OriginalResolution() : undefined;
    const clients = new PreviewClients(context.events, () => context.model(), log, original);
    let server: PreviewServer;
    try {
      server = await PreviewServer.start(host, port, guard, clients);
    } catch (err) {
      // A commissioning aid: without it the runner still infers and publishes.
      log.error('the live preview is off', { err });
      const removeError = endpoints.add('preview', { error: (err as Error).message });
      return { stop: () => Promise.resolve(removeError()) };
    }
    const { base, remove: removeEndpoint } = endpoints.listening('preview', host, server.port, guard);
    // The address only: the URL with the token is for get_status.
    log.info('live preview listening', { url: base, token_required: guard.tokenRequired });
    return {
      stop: async () => {
        removeEndpoint();
        await server.stop();
      },
    };
  };
}
