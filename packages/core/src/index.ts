/**
 * @ei-gg/core: what the three components share. Packages import from here, by name; each group is also its own
 * entry point (`@ei-gg/core/lifecycle`, `@ei-gg/core/transport`, ...). Everything else in core is internal.
 */
export {
  EiGgError,
  ModelOutputError,
  ProcessStartError,
  SecretError,
  type EiGgErrorOptions,
  type ErrorContext,
} from './errors';

// Running a component: definition, host, pipeline, features
export {
  ComponentHost,
  hostComponent,
  liveLockOwner,
  LockFile,
  MODEL_SOCKET_DIR_PREFIX,
  MODEL_SOCKET_NAME,
  modelSocketRoot,
  recoverModelSockets,
  runComponent,
  type ComponentDefinition,
  type ComponentHostOptions,
  type ComponentParts,
  type ComponentPipeline,
  type HostingOptions,
  type HostServices,
} from './lifecycle';
export {
  backoffFeature,
  lastErrorFeature,
  inferenceOutputFeature,
  metricsTimerFeature,
  runnerFeatures,
  shadowFeature,
  thresholdFilterFeature,
  triggersFeature,
  type ComponentFeature,
  type ComponentFeatures,
  type FeatureHost,
  type InferenceOutputOptions,
} from './features';
export {
  EXIT_FAILURE,
  EXIT_OK,
  runComponentCli,
  type ComponentCliHooks,
  type ComponentContext,
  type ConfigInterpretation,
} from './cli';

// Configuration and identity (SPEC 2, 3)
export {
  COMPONENT_KINDS,
  COMPONENTS,
  configurationTableMarkdown,
  defaultRecipeParameters,
  PARAMETER_SCHEMAS,
  parseGstArgs,
  parseParameters,
  toRecipeValue,
  type ComponentConfigs,
  type ComponentIdentity,
  type ComponentKind,
  type LinuxRunnerConfig,
  type LinuxServiceConfig,
  type LiveConfiguration,
  type ParsedParameters,
  type SerialRunnerConfig,
} from './config';
export {
  deviceTopics,
  readDeviceIdentitySources,
  uniqueDeviceName,
  type DeviceIdentitySources,
  type DeviceTopics,
} from './identity';

// Results and their shared path (SPEC 3)
export {
  Backoff,
  encodeInferencePayload,
  isEmptyResult,
  ThresholdFilter,
  type BoundingBox,
  type InferencePayload,
  type InferenceResult,
  type InferenceTiming,
  type TrackedObject,
} from './results';
export { MetricsAccumulator } from './metrics';
export { InferenceRelay, type InferenceOutput, type InferenceRelayOptions, type ProcessOutcome } from './relay';
export { Publisher, type PublisherOptions, type PublishResult } from './publisher';
export { type InferenceRequest } from './triggers';

// Commands and problem reports (SPEC 4)
export {
  ProblemReporter,
  startedReply,
  type CommandReply,
  type ModelInfo,
  type ProblemReporterOptions,
} from './commands';

// Transports, Greengrass, recipes (SPEC 6)
export {
  createTransport,
  Mqtt5Transport,
  releaseNativeClients,
  StdoutTransport,
  topicMatches,
  type ConnectionState,
  type IncomingMessage,
  type MessageHandler,
  type Mqtt5TransportOptions,
  type PublishOptions,
  type Qos,
  type StdoutTransportOptions,
  type Transport,
  type Unsubscribe,
} from './transport';
export { IpcConnection, IpcTransport, type IpcConnectionOptions, type IpcTransportOptions } from './greengrass';
export { componentAccessControl, type AccessControl, type AccessControlOptions } from './recipe';

// Secrets and caches (SPEC 6)
export {
  apiKeySecretSource,
  readApiKey,
  readSecretValue,
  type ApiKeySecretRef,
  type ApiKeySourceOptions,
  type ClosableSecretSource,
  type SecretSource,
  type SecretValueRef,
} from './secrets';
export { FileCache, InferenceCaches, MIB, S3Cache, type FileCacheOptions, type S3CacheOptions } from './caches';

// Child processes, logging, timing
export { describeExit, SupervisedProcess, type ProcessExit, type SupervisedProcessOptions } from './process';
export { Logger, RepeatedErrorLog, type LoggerOptions, type RepeatedErrorLogOptions } from './logging';
export { retryDelay, withTimeout } from './timing';
