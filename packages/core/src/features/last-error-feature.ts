import type { ComponentFeature } from './component-feature';

/** The last problem a component reported, as `get_status` and the shadow's `reported` show it. */
export interface LastError {
  message: string;
  /** The error's code when it had one (`MODEL_EXITED`, `SERIAL_PORT_MISSING`, ...). */
  code?: string;
  ts: number;
}

export interface LastErrorFeature extends ComponentFeature {
  /** A problem that was not replied on `command/output` (e.g. a shadow that cannot be followed). */
  readonly record: (message: string, code?: string) => void;
}

/**
 * What went wrong last: every error replied on `command/output` (a model that crashed, a board that is gone, a
 * cache on a full disk), so that an operator who asks `get_status` after the fact still sees it. `null` until
 * the first problem.
 */
export function lastErrorFeature(clock: () => number = Date.now): LastErrorFeature {
  let last: LastError | undefined;
  const record = (message: string, code?: string) => {
    last = { message, ...(code ? { code } : {}), ts: clock() };
  };
  const contribution = () => ({ last_error: last ?? null });
  return {
    record,
    commandAnswered: ({ result }) => {
      if (typeof result.error === 'string')
        record(result.error, typeof result.code === 'string' ? result.code : undefined);
    },
    status: contribution,
    reported: contribution,
  };
}
