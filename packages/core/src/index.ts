/** @ei-gg/core: everything the three components share. Components import from here only. */
export * from './errors';
export * from './version';
export * from './component-kind';
export * from './logging/logger';
export * from './logging/repeated-error-log';

// Configuration (SPEC 2, 9)
export * from './config/setting';
export * from './config/parameters-schema';
export * from './config/parse-parameters';
export * from './config/live-configuration';
export * from './config/recipe-defaults';
export * from './config/configuration-table';
export { parseGstArgs } from './config/gst-args';
export { splitArguments } from './config/split-arguments';
export * from './cli/parse-cli-args';
export * from './cli/load-local-configuration';
export * from './cli/run-component-cli';

// Identity and topics (SPEC 2, 3)
export * from './identity/device-name';
export * from './identity/topics';

// Results, filter, metrics, the shared inference path (SPEC 3)
export * from './results/inference-result';
export * from './results/encode-inference-payload';
export * from './threshold-filter';
export * from './backoff';
export * from './metrics/metrics-accumulator';
export type { ConfidenceTrendDirection } from './metrics/confidence-trend';
export * from './relay/inference-relay';
export * from './relay/local-results';
export * from './publisher/publisher';
export * from './publisher/drop-image-to-fit';

// On-demand inference (triggered mode)
export * from './triggers/inference-mode';
export * from './triggers/inference-request';
export * from './triggers/inference-requests';
export * from './triggers/request-topic';
export * from './triggers/local-request-intake';
export * from './triggers/on-demand-inference';

// Device shadow (operator control)
export * from './shadow/shadow-topics';
export * from './shadow/shadow-settings';
export * from './shadow/device-shadow';

// Commands (SPEC 4)
export * from './commands/parse-command';
export * from './commands/command-replies';
export * from './commands/command-router';
export * from './commands/command-intake';
export * from './commands/problem-reporter';

// Transports and Greengrass (SPEC 6)
export * from './transport/transport';
export * from './transport/topic-matches';
export * from './transport/select-transport';
export * from './transport/create-transport';
export * from './transport/stdout-transport';
export * from './transport/mqtt5-transport';
export * from './transport/release-native-clients';
export * from './transport/connection-state-tracker';
export * from './transport/subscription-registry';
export * from './greengrass/ipc-connection';
export * from './greengrass/ipc-transport';
export * from './greengrass/greengrass-runtime';
export * from './recipe/access-control';

// Secrets and caches
export * from './secrets/secret-source';
export * from './secrets/api-key-secret';
export * from './caches/file-cache';
export * from './caches/s3-cache';
export * from './caches/inference-caches';

// Lifecycle
export * from './lifecycle/lock-file';
export * from './lifecycle/lock-owner';
export * from './lifecycle/recover-component';
export * from './lifecycle/recover-model-sockets';
export * from './lifecycle/model-socket-location';
export * from './timing/retry-delay';
export * from './timing/with-timeout';
export * from './lifecycle/component-status';
export * from './lifecycle/component-host';
export * from './lifecycle/run-component';
export * from './features/component-feature';
export * from './features/threshold-filter-feature';
export * from './features/backoff-feature';
export * from './features/triggers-feature';
export * from './features/shadow-feature';
export * from './features/metrics-timer-feature';
export * from './features/inference-output-feature';
export * from './features/runner-features';

// Child processes
export * from './process/process-exit';
export * from './process/output-tail';
export * from './process/supervised-process';
