import { readFileSync } from 'node:fs';
import type { ComponentKind } from '../component-kind';
import { ConfigError } from '../errors';
import { parseParameters, type ParsedParameters } from '../config/parse-parameters';
import type { CliOptions } from './parse-cli-args';

/** Outside Greengrass: `--config FILE` (Greengrass-shaped or flat) with `--set key=value` on top. */
export function loadLocalConfiguration<K extends ComponentKind>(
  kind: K,
  options: Pick<CliOptions, 'configFile' | 'sets'>,
): ParsedParameters<K> {
  let fromFile: unknown = {};
  if (options.configFile) {
    let text: string;
    try {
      text = readFileSync(options.configFile, 'utf8');
    } catch (cause) {
      throw new ConfigError(
        [
          {
            key: '--config',
            value: options.configFile,
            message: `cannot be read (${(cause as NodeJS.ErrnoException).code ?? String(cause)})`,
          },
        ],
        { cause },
      );
    }
    try {
      fromFile = JSON.parse(text);
    } catch (cause) {
      throw new ConfigError(
        [{ key: '--config', value: options.configFile, message: `is not valid JSON (${(cause as Error).message})` }],
        { cause },
      );
    }
  }
  const base =
    typeof fromFile === 'object' && fromFile !== null && 'Parameters' in fromFile ? fromFile.Parameters : fromFile;
  if (typeof base !== 'object' || base === null || Array.isArray(base)) return parseParameters(kind, fromFile);
  return parseParameters(kind, { ...base, ...Object.fromEntries(options.sets) });
}
