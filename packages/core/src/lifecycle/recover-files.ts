import { lstatSync, unlinkSync, type Stats } from 'node:fs';
import { EiGgError } from '../errors';
import type { Logger } from '../logging/logger';
import type { RecoverReport } from './recover-component';

// What the Recover steps share: inspecting and removing files into the report, never throwing.

export function statOrUndefined(path: string, log: Logger, report: RecoverReport): Stats | undefined {
  try {
    return lstatSync(path);
  } catch (cause) {
    if (!isMissing(cause)) problem(report, log, `cannot inspect ${path}`, path, cause);
    return undefined;
  }
}

export function remove(path: string, log: Logger, report: RecoverReport): boolean {
  try {
    unlinkSync(path);
    report.removed.push(path);
    return true;
  } catch (cause) {
    if (!isMissing(cause)) problem(report, log, `cannot remove ${path}`, path, cause);
    return false;
  }
}

export function problem(report: RecoverReport, log: Logger, message: string, path: string, cause?: unknown): void {
  const detail = cause === undefined ? '' : `: ${(cause as Error).message}`;
  const err = new EiGgError('RECOVER_FAILED', `${message}${detail}`, {
    context: { path },
    ...(cause === undefined ? {} : { cause }),
  });
  log.warn('recover step could not clean up', { err });
  report.problems.push(err);
}

export function isMissing(err: unknown): boolean {
  return (err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR';
}
