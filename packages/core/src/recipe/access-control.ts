import type { ComponentKind } from '../component-kind';
import { deviceTopics } from '../identity/topics';
import { PARAMETER_SCHEMAS } from '../config/parameters-schema';
import { inferenceRequestTopic } from '../triggers/request-topic';
import { SHADOW_NAME_PREFIX, shadowResource, shadowTopic } from '../shadow/shadow-topics';

/**
 * The named shadows whose names start with the product prefix, of any thing. Not `{iot:thingName}`: the classic
 * nucleus substitutes recipe variables in `accessControl` only with `interpolateComponentConfiguration: true`
 * (default false), and Nucleus Lite (up to 2.6.0 at least) substitutes none, so a `{iot:thingName}` resource
 * would match only its own literal text and every shadow request would be denied. What least privilege remains:
 * the component reaches only `edgeimpulse*` named shadows (never a classic shadow, never another product's named
 * shadow), and the shadow manager serves only the core device and its client devices; device-side, the
 * component asks only for the core device's own thing (AWS_IOT_THING_NAME).
 */
const OWN_SHADOWS = { thingName: '*', shadowName: `${SHADOW_NAME_PREFIX}*` };
const DEFAULT_SECRET_ID = PARAMETER_SCHEMAS['linux-runner'].parse({}).ei_sm_secret_id;

/**
 * The recipe's least-privilege `accessControl`: publish on the device's inference, metrics and command
 * output topics (and on command input, only to clear a retained command), subscribe on its command input,
 * read the one Edge Impulse API key secret. No resource relies on recipe variables (neither nucleus
 * substitutes them by default, see OWN_SHADOWS), and the unique device name ends in a MAC unknown when the
 * recipe is written, so by default the device segment is the single-level wildcard `+`: exactly the four topic
 * shapes, nothing else. A deployment that knows its device names can pin them (`deviceNamePattern`, also set by
 * the deploy tool).
 */
export interface AccessControlOptions {
  /** Device-name segment of the topics (default `+`). */
  deviceNamePattern?: string;
  /** ARN pattern of the API key secret (linux components); default: any version of the default secret id. */
  secretArnPattern?: string;
}

/**
 * IPC service → policy id → policy. Policy ids are `ei-gg:<service>:<n>` (unique per component is all the nucleus
 * asks) and carry no `policyDescription` (optional): every byte counts against Nucleus Lite's 8196-byte recipe
 * buffer; what each policy is for is said here.
 */
export type AccessControl = Record<
  string,
  Record<string, { policyDescription?: string; operations: string[]; resources: string[] }>
>;

export function componentAccessControl(kind: ComponentKind, options: AccessControlOptions = {}): AccessControl {
  const topics = deviceTopics(options.deviceNamePattern ?? '+');
  const policy: AccessControl = {
    'aws.greengrass.ipc.mqttproxy': {
      'ei-gg:mqttproxy:1': {
        // Publish inference results, model metrics and command answers (and clear a retained command)
        operations: ['aws.greengrass#PublishToIoTCore'],
        resources: [topics.inferenceOutput, topics.modelMetrics, topics.commandOutput, topics.commandInput],
      },
      'ei-gg:mqttproxy:2': {
        // Receive commands
        operations: ['aws.greengrass#SubscribeToIoTCore'],
        resources: [topics.commandInput],
      },
    },
  };
  if (kind !== 'linux-service') {
    policy['aws.greengrass.ipc.pubsub'] = {
      'ei-gg:pubsub:1': {
        // Publish every result on local pub/sub for other components (local_results_topic auto)
        operations: ['aws.greengrass#PublishToTopic'],
        // Local pub/sub resources match with `*` only, not MQTT wildcards.
        resources: [deviceTopics('*').inferenceOutput],
      },
      'ei-gg:pubsub:2': {
        // Receive inference requests (inference_request_topic auto) and changes of the device shadow
        operations: ['aws.greengrass#SubscribeToTopic'],
        resources: [inferenceRequestTopic('auto', deviceTopics('*'))!, shadowTopic(OWN_SHADOWS, 'update/documents')],
      },
    };
    policy['aws.greengrass.ShadowManager'] = {
      'ei-gg:shadow:1': {
        // Read and report edgeimpulse* named shadows (shadow_name)
        operations: ['aws.greengrass#GetThingShadow', 'aws.greengrass#UpdateThingShadow'],
        resources: [shadowResource(OWN_SHADOWS)],
      },
    };
  }
  if (kind !== 'serial-runner') {
    policy['aws.greengrass.SecretManager'] = {
      'ei-gg:secrets:1': {
        // Read the Edge Impulse API key
        operations: ['aws.greengrass#GetSecretValue'],
        resources: [options.secretArnPattern ?? `arn:aws:secretsmanager:*:*:secret:${DEFAULT_SECRET_ID}-*`],
      },
    };
  }
  return policy;
}
