/** @ei-gg/core/cli: a component's command line (SPEC 9). */
export { EXIT_FAILURE, EXIT_OK, runComponentCli, type ComponentContext } from './run-component-cli';
