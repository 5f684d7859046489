import type { Logger } from '../logging/logger';
import { RepeatedErrorLog } from '../logging/repeated-error-log';
import type { CommandIntake } from './command-intake';

export interface ProblemReporterOptions {
  /** Where reports go (`command/output`). */
  commands: Pick<CommandIntake, 'reply'>;
  logger: Logger;
  /** `source` of every report: the component (`serial-runner`, `linux-runner`). */
  source: string;
  /** What fails, naming the log lines (`board failed`, `board still failing`); default: `source`. */
  subject?: string;
  /** Summary interval of the log (default 60 s), see {@link RepeatedErrorLog}. */
  intervalMs?: number;
  /** Epoch milliseconds; injectable for tests. */
  clock?: () => number;
}

/**
 * A component's problems, told to the log and to the cloud without flooding either: something that fails on
 * every retry (a board that stays unplugged, a model that keeps crashing) is logged as a {@link RepeatedErrorLog}
 * logs it (the first in full, then a counted summary per interval), and replied on `command/output` once per
 * distinct message until `clear()` (it works again) or a different message. The reply is
 * `{ result: { error, source, code?, ...extra } }`, `code` from an error carrying a string `code` (EiGgError).
 *
 * @example
 * ```ts
 * const problems = new ProblemReporter({ commands: services.commands, logger, source: 'serial-runner' });
 * try {
 *   await openBoard();
 *   problems.clear(); // works again: the next failure is reported anew
 * } catch (err) {
 *   await problems.report(`cannot open ${port}`, err, { port }); // logged once plus a count, replied once
 * }
 * ```
 */
export class ProblemReporter {
  private readonly faults: RepeatedErrorLog;
  private readonly subject: string;
  private lastReported: string | undefined;

  constructor(private readonly options: ProblemReporterOptions) {
    this.subject = options.subject ?? options.source;
    this.faults = new RepeatedErrorLog({
      logger: options.logger,
      ...(options.intervalMs !== undefined ? { intervalMs: options.intervalMs } : {}),
      ...(options.clock ? { clock: options.clock } : {}),
    });
  }

  /** Logs (as a repeated error) and replies unless this very message was the last one replied. Never rejects. */
  async report(message: string, err?: unknown, extra: Record<string, unknown> = {}): Promise<void> {
    this.faults.failed(this.subject, err, { problem: message, ...extra });
    if (message === this.lastReported) return;
    this.lastReported = message;
    const code = stringCode(err);
    const { commands, source, logger } = this.options;
    try {
      await commands.reply({ result: { error: message, source, ...(code ? { code } : {}), ...extra } });
    } catch (replyErr) {
      // The problem itself is logged above; a lost reply must not turn into a failure of the caller.
      logger.warn('could not report a problem on command/output', { problem: message, err: replyErr });
    }
  }

  /** It works again: the next problem is replied even if its message is the last one, and the log says recovered. */
  clear(): void {
    this.lastReported = undefined;
    this.faults.succeeded(this.subject);
  }

  /** Logs the failures no line has counted yet and stops the log's timers (call when stopping). */
  close(): void {
    this.faults.close();
  }
}

function stringCode(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null || !('code' in err)) return undefined;
  return typeof err.code === 'string' && err.code ? err.code : undefined;
}
