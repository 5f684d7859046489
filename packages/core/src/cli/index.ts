/** @ei-gg/core/cli: a component's command line (SPEC 9). */
export {
  EXIT_FAILURE,
  EXIT_OK,
  runComponentCli,
  type ComponentCliHooks,
  type ComponentContext,
  type ConfigInterpretation,
} from './run-component-cli';
