/** @ei-gg/core/logging: JSON-line logging, and a repeated error logged once plus a count. */
export { Logger, type LoggerOptions } from './logger';
export { RepeatedErrorLog, type RepeatedErrorLogOptions } from './repeated-error-log';
