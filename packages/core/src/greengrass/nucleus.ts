/**
 * Which Greengrass nucleus runs the component. The Java nucleus (`classic`) serves every IPC operation the
 * components use when aws.greengrass.SecretManager and aws.greengrass.ShadowManager are deployed; Greengrass
 * Nucleus Lite has neither service over IPC (its ggipcd dispatches pub/sub, MQTT proxy, configuration,
 * lifecycle, CLI and token validation only), but runs the token exchange service. A component learns which it
 * runs on from `EI_GG_NUCLEUS` (the recipe's Lite manifest sets `lite`), else from the nucleus answering an
 * operation as one it does not have.
 */
import { eventstream_rpc } from 'aws-iot-device-sdk-v2';
import { ipcErrorCode } from './ipc-connection';

export type NucleusKind = 'classic' | 'lite';

/** The environment variable naming the nucleus: `lite` or `classic`. */
export const NUCLEUS_ENV = 'EI_GG_NUCLEUS';

/** The nucleus `EI_GG_NUCLEUS` names, or undefined when unset or unknown (then the answers tell). */
export function nucleusFromEnvironment(env: NodeJS.ProcessEnv): NucleusKind | undefined {
  const value = env[NUCLEUS_ENV]?.trim().toLowerCase();
  if (value === 'lite') return 'lite';
  if (value === 'classic' || value === 'java') return 'classic';
  return undefined;
}

/**
 * Whether the nucleus answered that it does not have the operation at all: a ServiceError with an empty
 * message is what Lite sends for an operation it has no handler for (ipc_dispatch.c returns GG_ERR_NOENTRY and
 * the error stays the default one); the Java nucleus says "Operation <name> is not supported by Greengrass"
 * (DefaultOperationHandler) when the service providing it (SecretManager, ShadowManager) is not deployed.
 */
export function isUnsupportedOperation(error: unknown): boolean {
  if (ipcErrorCode(error) !== 'ServiceError') return false;
  const body = (error as eventstream_rpc.RpcError).serviceError as { message?: unknown; _message?: unknown };
  const text = [body.message, body._message].find((part): part is string => typeof part === 'string') ?? '';
  return text.trim() === '' || /\bis not supported\b/i.test(text);
}

/** Why the device shadow cannot be followed on this nucleus, or undefined when it can (as far as is known). */
export function shadowUnsupportedReason(nucleus: NucleusKind | undefined): string | undefined {
  return nucleus === 'lite'
    ? 'Greengrass Nucleus Lite has no device shadow over IPC (no aws.greengrass.ShadowManager: GetThingShadow and ' +
        'UpdateThingShadow are not Lite operations), so shadow_name is refused: the component runs without a shadow ' +
        'and its settings come from the deployment only. Unset shadow_name, or run on the Java nucleus with ' +
        'aws.greengrass.ShadowManager deployed'
    : undefined;
}

/**
 * What the configuration check says about settings this nucleus cannot honour (shown by --check-config and
 * logged at start): shadow_name on Lite.
 */
export function nucleusConfigurationWarnings(
  parameters: Readonly<Record<string, unknown>>,
  nucleus: NucleusKind | undefined,
): string[] {
  const shadowName = parameters.shadow_name;
  const reason = shadowUnsupportedReason(nucleus);
  return typeof shadowName === 'string' && shadowName !== '' && reason !== undefined
    ? [`shadow_name "${shadowName}": ${reason}`]
    : [];
}
