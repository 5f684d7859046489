/** @ei-gg/core/timing: deadlines and retry delays. */
export { withTimeout } from './with-timeout';
export { retryDelay } from './retry-delay';
