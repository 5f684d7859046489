/** @ei-gg/core/config: the components, their configuration keys (SPEC 2) and recipe defaults. */
export { COMPONENT_KINDS, COMPONENTS, type ComponentIdentity, type ComponentKind } from '../component-kind';
export {
  PARAMETER_SCHEMAS,
  type ComponentConfigs,
  type LinuxRunnerConfig,
  type LinuxServiceConfig,
  type SerialRunnerConfig,
} from './parameters-schema';
export { parseParameters, type ParsedParameters } from './parse-parameters';
export type { LiveConfiguration } from './live-configuration';
export { parseGstArgs } from './gst-args';
export { defaultRecipeParameters, toRecipeValue } from './recipe-defaults';
export { configurationTableMarkdown } from './configuration-table';
