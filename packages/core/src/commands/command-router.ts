import { CommandError } from '../errors';
import { parseNumber } from '../config/coercions';
import { THRESHOLD_CRITERIA, type ThresholdCriteria, type ThresholdFilter } from '../threshold-filter';
import { errorReply, type CommandReply } from './command-replies';
import { parseCommand, type Command } from './parse-command';

export type CacheOutcome = 'OK' | 'FAILED';

export interface ModelInfo {
  model_name: string;
  /** `v<deploy version>`. */
  model_version: string;
  model_params: Record<string, unknown>;
}

export interface CacheControl {
  clear(): Promise<{ local: CacheOutcome; s3: CacheOutcome }>;
  clearFile(id: string): Promise<{ local: CacheOutcome; s3: CacheOutcome }>;
  /** Each enabled cache's state (working or failing, size, bound, evictions): shown by get_status and metrics. */
  status?(): Record<string, unknown>;
  /** Subscribes to the caches' fault notices (once when caching stops, once when it resumes); returns unsubscribe. */
  onReport?(report: (reply: CommandReply) => void): () => void;
}

/** What a component lends the router: the router owns the verbs and shapes, the component the effects. */
export interface CommandTarget {
  componentName: string;
  filter: ThresholdFilter;
  resetMetrics(): void;
  /** Restarts the pipeline in-process; called after the reply is published. */
  restart(): Promise<void>;
  /** Undefined until a model (or board) has been initialised. */
  modelInfo(): ModelInfo | undefined;
  /** Absent for components without caches (serial-runner). */
  caches?: CacheControl;
}

export interface CommandOutcome {
  reply: CommandReply;
  /** Work to run once the reply is out (restart must not race its own acknowledgement). */
  afterReply?: () => Promise<void>;
}

/** Gets the command's value, and the whole command for verbs that need its id. */
export type VerbHandler = (
  value: unknown,
  command: Command,
) => Promise<CommandOutcome | Record<string, unknown>> | CommandOutcome | Record<string, unknown>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

/**
 * Runs the SPEC section 4 verbs against a component. Never throws: every failure, including malformed
 * input, becomes an `{"result":{"error":...}}` reply and changes nothing.
 */
export class CommandRouter {
  private readonly verbs: Record<string, VerbHandler>;

  constructor(
    private readonly target: CommandTarget,
    extraVerbs: Record<string, VerbHandler> = {},
  ) {
    this.verbs = { ...this.standardVerbs(), ...extraVerbs };
  }

  get verbNames(): string[] {
    return Object.keys(this.verbs);
  }

  async handle(raw: Buffer | string): Promise<CommandOutcome> {
    let command: Command | undefined;
    try {
      command = parseCommand(raw);
      const handler = Object.prototype.hasOwnProperty.call(this.verbs, command.cmd)
        ? this.verbs[command.cmd]
        : undefined;
      if (!handler) {
        throw new CommandError(`unknown command "${command.cmd}"; known commands: ${this.verbNames.join(', ')}`);
      }
      const outcome = await handler(command.value, command);
      const full: CommandOutcome = 'reply' in outcome ? (outcome as CommandOutcome) : { reply: { result: outcome } };
      if (command.id !== undefined) full.reply = { result: { ...full.reply.result, id: command.id } };
      return full;
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      const context = (err as CommandError).context ?? {};
      const cmd = command?.cmd ?? (context.cmd as string | undefined);
      const reply = errorReply(message, cmd, command?.id);
      if (typeof context.code === 'string') reply.result.code = context.code;
      return { reply };
    }
  }

  private standardVerbs(): Record<string, VerbHandler> {
    const t = this.target;
    const filterConfig = () => {
      const c = t.filter.config;
      return {
        threshold_filter_config: {
          enabled: c.enabled ? 'yes' : 'no',
          confidence_threshold: c.threshold,
          threshold_criteria: c.criteria,
        },
      };
    };
    return {
      restart: () => ({ reply: { result: { restart: 'OK' } }, afterReply: () => t.restart() }),
      enable_threshold_filter: () => (t.filter.update({ enabled: true }), filterConfig()),
      disable_threshold_filter: () => (t.filter.update({ enabled: false }), filterConfig()),
      get_threshold_filter_config: filterConfig,
      set_threshold_filter_criteria: (value) => {
        const criteria = typeof value === 'string' ? value.trim().toLowerCase() : value;
        if (!THRESHOLD_CRITERIA.includes(criteria as ThresholdCriteria)) {
          throw new CommandError(
            `invalid criteria ${JSON.stringify(value)}: must be one of ${THRESHOLD_CRITERIA.join(', ')}`,
          );
        }
        t.filter.update({ criteria: criteria as ThresholdCriteria });
        return { criteria };
      },
      get_threshold_filter_criteria: () => ({ criteria: t.filter.config.criteria }),
      set_threshold_filter_confidence: (value) => {
        const n = parseNumber(value);
        if (!n.ok || n.value <= 0 || n.value > 1) {
          throw new CommandError(`invalid confidence ${JSON.stringify(value)}: must be a number with 0 < x <= 1`);
        }
        t.filter.update({ threshold: n.value });
        return { confidence_threshold: n.value };
      },
      get_threshold_filter_confidence: () => ({ confidence_threshold: t.filter.config.threshold }),
      get_model_info: () => {
        const info = t.modelInfo();
        if (!info) throw new CommandError('model information is not available yet: the model is still starting');
        return { model_info: info };
      },
      clear_cache: async () => ({ clear_cache: await this.caches('clear_cache').clear() }),
      clear_cache_file: async (value) => {
        if (typeof value !== 'string' || !UUID.test(value.trim())) {
          throw new CommandError(`invalid inference id ${JSON.stringify(value)}: must be a uuid such as 4f0c2d7e-...`);
        }
        const uuid = value.trim().toLowerCase();
        return { clear_cache_file: { ...(await this.caches('clear_cache_file').clearFile(uuid)), uuid } };
      },
      reset_metrics: () => (t.resetMetrics(), { metrics_reset: 'OK' }),
    };
  }

  private caches(cmd: string): CacheControl {
    if (!this.target.caches)
      throw new CommandError(`${cmd} is not available: ${this.target.componentName} has no cache`);
    return this.target.caches;
  }
}
