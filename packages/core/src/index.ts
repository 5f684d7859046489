/** @ei-gg/core: everything the three components share. Components import from here only. */
export * from './errors';
export * from './component-kind';
export * from './logging/logger';

export * from './config/setting';
export * from './config/parameters-schema';
export * from './config/parse-parameters';
export * from './config/recipe-defaults';
export * from './config/configuration-table';
export { parseGstArgs } from './config/gst-args';
export { splitArguments } from './config/split-arguments';

export * from './identity/device-name';
export * from './identity/topics';

export * from './results/inference-result';
export * from './results/model-output-error';
export * from './results/from-linux-runner';
export * from './results/encode-inference-payload';

export * from './threshold-filter';
export * from './backoff';
export * from './metrics/metrics-accumulator';
export type { ConfidenceTrendDirection } from './metrics/confidence-trend';

export * from './commands/parse-command';
export * from './commands/command-replies';
export * from './commands/command-router';

export * from './cli/parse-cli-args';
export * from './cli/load-local-configuration';
export * from './cli/run-component-cli';

export * from './transport/transport';
export * from './transport/topic-matches';
export * from './publisher/publisher';
export * from './publisher/drop-image-to-fit';
export * from './pipeline/inference-pipeline';
export * from './commands/command-intake';
export * from './config/live-configuration';
export * from './greengrass/ipc-connection';
export * from './greengrass/ipc-transport';
export * from './greengrass/greengrass-runtime';
export * from './lifecycle/lock-file';
export * from './lifecycle/lock-owner';
export * from './lifecycle/backoff-delay';
export * from './lifecycle/component-host';
export * from './lifecycle/run-component';
export * from './transport/select-transport';
export * from './transport/create-transport';
export * from './transport/stdout-transport';
export * from './transport/mqtt5-transport';

export * from './caches/file-cache';
export * from './caches/s3-cache';
export * from './caches/inference-caches';
export * from './secrets/secret-error';
export * from './secrets/secret-source';
export * from './secrets/api-key-secret';
export * from './recipe/access-control';
export * from './transport/release-native-clients';
export * from './transport/connection-state-tracker';
export * from './transport/subscription-registry';
export * from './version';
export * from './lifecycle/component-status';
export * from './pipeline/local-results';
