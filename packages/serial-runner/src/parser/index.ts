export { SerialResultParser } from './serial-result-parser';
export type { SerialParserEvents, SerialParserError, SerialResultParserOptions } from './serial-result-parser';
export type { InferencingSettings } from './inferencing-settings';
export { DEFAULT_MAX_LINE_LENGTH } from './line-splitter';
