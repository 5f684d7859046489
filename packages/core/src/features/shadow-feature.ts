import { COMPONENTS, type ComponentKind } from '../component-kind';
import { EiGgError, NucleusUnsupportedError } from '../errors';
import { DeviceShadow } from '../shadow/device-shadow';
import { SHADOW_NAME_PREFIX } from '../shadow/shadow-topics';
import { PRODUCT_VERSION } from '../version';
import type { ComponentFeature, FeatureHost } from './component-feature';
import type { LastErrorFeature } from './last-error-feature';

/**
 * Follows the `shadow_name` named shadow (under Greengrass): desired settings apply on top of the configuration,
 * `reported` says what is in effect (the other parts' contributions: the last error among them) and which versions run.
 * A shadow that cannot be followed is logged, not fatal.
 */
export function shadowFeature<K extends ComponentKind>(
  host: FeatureHost<K>,
  shadowName: () => string | undefined,
  recordError: LastErrorFeature['record'],
): ComponentFeature {
  const { context } = host;
  let shadow: DeviceShadow<K> | undefined;

  const reported = (rejected: DeviceShadow<K>['rejections']): Record<string, unknown> => {
    const model = host.modelInfo();
    return {
      ...host.contributions('reported'),
      component: COMPONENTS[context.kind].componentName,
      component_version: PRODUCT_VERSION,
      model: model ? { name: model.model_name, version: model.model_version } : null,
      // null removes the key from the shadow once nothing is rejected any more.
      rejected: Object.keys(rejected).length ? rejected : null,
    };
  };

  const follow = async (): Promise<void> => {
    await shadow?.stop();
    shadow = undefined;
    const name = shadowName();
    const runtime = context.greengrass?.runtime;
    if (!name || !runtime) return;
    const logger = context.logger.child({ part: 'shadow' });
    const thingName = context.env.AWS_IOT_THING_NAME;
    if (!thingName)
      return logger.error(
        'shadow_name is set but AWS_IOT_THING_NAME is not: the nucleus sets it for components; no shadow',
        { shadowName: name },
      );
    const candidate: DeviceShadow<K> = new DeviceShadow({
      kind: context.kind,
      runtime,
      address: { thingName, shadowName: name },
      config: host.config,
      reported: () => reported(candidate.rejections),
      logger,
    });
    try {
      await candidate.start();
      shadow = candidate;
    } catch (err) {
      const code: unknown = err instanceof EiGgError ? err.code : undefined;
      recordError(err instanceof Error ? err.message : String(err), typeof code === 'string' ? code : undefined);
      // A nucleus without shadow operations (Lite) says why itself; the name is not the problem there.
      const hint =
        name.startsWith(SHADOW_NAME_PREFIX) || err instanceof NucleusUnsupportedError
          ? {}
          : {
              hint: `the recipes allow the ${SHADOW_NAME_PREFIX}* named shadows only: name it so, or extend accessControl (aws.greengrass.ShadowManager, aws.greengrass.ipc.pubsub)`,
            };
      logger.error('cannot follow the device shadow; settings come from the deployment only', {
        shadowName: name,
        err,
        ...hint,
      });
      await candidate.stop().catch(() => undefined);
    }
  };

  return {
    liveKeys: ['shadow_name'],
    start: follow,
    stop: async () => {
      await shadow?.stop().catch((err) => context.logger.error('device shadow did not stop cleanly', { err }));
    },
    configurationChanged: async (changed) => {
      if (changed.includes('shadow_name')) await follow();
    },
    configurationApplied: async () => shadow?.report(),
    // Every reply may change what `reported` says (the last error among others).
    commandAnswered: () => void shadow?.report(),
  };
}
