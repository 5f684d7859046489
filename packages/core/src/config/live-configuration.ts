import type { ComponentKind } from '../component-kind';
import { ConfigError } from '../errors';
import type { Logger } from '../logging/logger';
import type { ComponentConfigs } from './parameters-schema';
import { parseParameters, type ParsedParameters } from './parse-parameters';

/** What the Greengrass runtime offers for configuration (GetConfiguration, SubscribeToConfigurationUpdate). */
export interface ConfigurationReader {
  getConfiguration(keyPath?: string[]): Promise<unknown>;
  onConfigurationUpdate(keyPath: string[], handler: () => void): Promise<() => Promise<void>>;
}

export type ConfigurationListener<K extends ComponentKind> = (
  next: ComponentConfigs[K],
  previous: ComponentConfigs[K],
  changed: string[],
) => void;

/**
 * The component's configuration as it changes: from a file and flags outside Greengrass (fixed), or from
 * the nucleus, where a new deployment pushes updates. Every update is validated like the first one; an
 * invalid update is logged with every problem and rejected, and the previous configuration stays.
 */
export class LiveConfiguration<K extends ComponentKind> {
  private readonly listeners = new Set<ConfigurationListener<K>>();
  private stopWatching: (() => Promise<void>) | undefined;

  /** The deployment's (or file's) configuration; `config` is it with the overrides on top. */
  private base: ComponentConfigs[K];
  private overrides: Partial<ComponentConfigs[K]> = {};
  private config: ComponentConfigs[K];
  /** The problems of the last rejected update, until one is accepted. */
  private lastRejection: string | undefined;
  /** Warnings of the initial configuration, for the caller to log or print. */
  readonly warnings: string[];

  private constructor(
    private readonly kind: K,
    initial: ParsedParameters<K>,
    private readonly logger: Logger,
  ) {
    this.base = initial.config;
    this.config = initial.config;
    this.warnings = initial.warnings;
  }

  static fixed<K extends ComponentKind>(kind: K, initial: ParsedParameters<K>, logger: Logger): LiveConfiguration<K> {
    return new LiveConfiguration(kind, initial, logger);
  }

  /** Reads `Parameters` through IPC (a ConfigError when invalid) and follows its updates. */
  static async fromGreengrass<K extends ComponentKind>(
    kind: K,
    reader: ConfigurationReader,
    logger: Logger,
  ): Promise<LiveConfiguration<K>> {
    const initial = parseParameters(kind, await reader.getConfiguration(['Parameters']).then(asParameters));
    const live = new LiveConfiguration(kind, initial, logger);
    // A burst of update events (a flapping deployment) becomes one read, plus one more for events that came
    // during it: the last read starts after the last event, so the newest configuration is the one applied.
    let reading = false;
    let readAgain = false;
    const readLatest = async (): Promise<void> => {
      if (reading) {
        readAgain = true;
        return;
      }
      reading = true;
      do {
        readAgain = false;
        try {
          live.apply(asParameters(await reader.getConfiguration(['Parameters'])));
        } catch (err) {
          logger.error('could not read the updated configuration; keeping the previous one', { err });
        }
      } while (readAgain);
      reading = false;
    };
    live.stopWatching = await reader.onConfigurationUpdate(['Parameters'], () => void readLatest());
    return live;
  }

  get current(): ComponentConfigs[K] {
    return this.config;
  }

  onChange(listener: ConfigurationListener<K>): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Validates and applies new parameters; returns false (and logs why) when they are rejected. */
  apply(parameters: unknown): boolean {
    let next: ComponentConfigs[K];
    try {
      const parsed = parseParameters(this.kind, parameters);
      for (const warning of parsed.warnings) this.logger.warn(warning);
      next = parsed.config;
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      // The same rejected configuration read again (update events of other keys) is logged once.
      const rejection = JSON.stringify(err.issues);
      if (rejection !== this.lastRejection)
        this.logger.error('configuration update rejected; keeping the previous configuration', {
          problems: err.issues,
        });
      this.lastRejection = rejection;
      return false;
    }
    this.lastRejection = undefined;
    this.base = next;
    this.update('configuration updated');
    return true;
  }

  /**
   * Values set at run time on top of the configuration (the device shadow's desired state), already
   * validated key by key by the caller. They replace the previous overrides and win over deployments until
   * removed; returns the keys whose effective value changed.
   */
  override(values: Partial<ComponentConfigs[K]>): string[] {
    this.overrides = { ...values };
    return this.update('configuration overridden', Object.keys(values));
  }

  private update(event: string, overridden?: string[]): string[] {
    const previous = this.config;
    const next = { ...this.base, ...this.overrides };
    this.config = next;
    const changed = changedKeys(previous, next);
    // An update that changes nothing (a repeated event) is no news.
    this.logger[changed.length ? 'info' : 'debug'](event, { changed, ...(overridden ? { overridden } : {}) });
    if (changed.length) for (const listener of this.listeners) listener(next, previous, changed);
    return changed;
  }

  async close(): Promise<void> {
    await this.stopWatching?.();
    this.listeners.clear();
  }
}

/** The nucleus answers GetConfiguration(['Parameters']) wrapped as `{"Parameters":{...}}`; accept it bare too. */
function asParameters(value: unknown): unknown {
  return typeof value === 'object' && value !== null && 'Parameters' in value ? value : { Parameters: value ?? {} };
}

function changedKeys(a: object, b: object): string[] {
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  return [...new Set([...Object.keys(x), ...Object.keys(y)])].filter(
    (k) => JSON.stringify(x[k]) !== JSON.stringify(y[k]),
  );
}
