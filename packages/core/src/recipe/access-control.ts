import { COMPONENTS, type ComponentKind } from '../component-kind';
import { deviceTopics } from '../identity/topics';
import { PARAMETER_SCHEMAS } from '../config/parameters-schema';
import { inferenceRequestTopic } from '../triggers/request-topic';
import { SHADOW_NAME_PREFIX, shadowResource, shadowTopic } from '../shadow/shadow-topics';

/** The core device's own named shadows whose names start with the product prefix. */
const OWN_SHADOWS = { thingName: '{iot:thingName}', shadowName: `${SHADOW_NAME_PREFIX}*` };
const DEFAULT_SECRET_ID = PARAMETER_SCHEMAS['linux-runner'].parse({}).ei_sm_secret_id;

/**
 * The recipe's least-privilege `accessControl`: publish on the device's inference, metrics and command
 * output topics (and on command input, only to clear a retained command), subscribe on its command input,
 * read the one Edge Impulse API key secret. The nucleus interpolates only `{iot:thingName}` in these
 * resources, and the unique device name ends in a MAC unknown when the recipe is written, so by default the
 * device segment is the single-level wildcard `+`: exactly the four topic shapes, nothing else. A deployment
 * that knows its device names can pin them (`deviceNamePattern`, also set by the deploy tool).
 */
export interface AccessControlOptions {
  /** Device-name segment of the topics (default `+`). */
  deviceNamePattern?: string;
  /** ARN pattern of the API key secret (linux components); default: any version of the default secret id. */
  secretArnPattern?: string;
}

export type AccessControl = Record<
  string,
  Record<string, { policyDescription: string; operations: string[]; resources: string[] }>
>;

export function componentAccessControl(kind: ComponentKind, options: AccessControlOptions = {}): AccessControl {
  const name = COMPONENTS[kind].componentName;
  const topics = deviceTopics(options.deviceNamePattern ?? '+');
  const policy: AccessControl = {
    'aws.greengrass.ipc.mqttproxy': {
      [`${name}:mqttproxy:1`]: {
        policyDescription: 'Publish inference results, model metrics and command answers of this device',
        operations: ['aws.greengrass#PublishToIoTCore'],
        resources: [topics.inferenceOutput, topics.modelMetrics, topics.commandOutput, topics.commandInput],
      },
      [`${name}:mqttproxy:2`]: {
        policyDescription: 'Receive commands for this device',
        operations: ['aws.greengrass#SubscribeToIoTCore'],
        resources: [topics.commandInput],
      },
    },
  };
  if (kind !== 'linux-service') {
    policy['aws.greengrass.ipc.pubsub'] = {
      [`${name}:pubsub:1`]: {
        policyDescription: 'Publish every result on local pub/sub for other components (local_results_topic auto)',
        operations: ['aws.greengrass#PublishToTopic'],
        // Local pub/sub resources match with `*` only, not MQTT wildcards.
        resources: [deviceTopics('*').inferenceOutput],
      },
      [`${name}:pubsub:2`]: {
        policyDescription: 'Receive inference requests (inference_request_topic auto) and changes of the device shadow',
        operations: ['aws.greengrass#SubscribeToTopic'],
        resources: [inferenceRequestTopic('auto', deviceTopics('*'))!, shadowTopic(OWN_SHADOWS, 'update/documents')],
      },
    };
    policy['aws.greengrass.ShadowManager'] = {
      [`${name}:shadow:1`]: {
        policyDescription: `Read and report this device's ${SHADOW_NAME_PREFIX}* named shadows (shadow_name)`,
        operations: ['aws.greengrass#GetThingShadow', 'aws.greengrass#UpdateThingShadow'],
        resources: [shadowResource(OWN_SHADOWS)],
      },
    };
  }
  if (kind !== 'serial-runner') {
    policy['aws.greengrass.SecretManager'] = {
      [`${name}:secrets:1`]: {
        policyDescription: 'Read the Edge Impulse API key',
        operations: ['aws.greengrass#GetSecretValue'],
        resources: [options.secretArnPattern ?? `arn:aws:secretsmanager:*:*:secret:${DEFAULT_SECRET_ID}-*`],
      },
    };
  }
  return policy;
}
