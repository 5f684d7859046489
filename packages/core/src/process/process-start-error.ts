import { EiGgError } from '../errors';

/** A child process could not be started at all (no such program, not executable, out of processes). */
export class ProcessStartError extends EiGgError {
  /** The system's reason, when it gave one: ENOENT (no such program), EACCES (not executable), EAGAIN. */
  readonly errno: string | undefined;

  constructor(name: string, command: string, cause: NodeJS.ErrnoException) {
    super('PROCESS_START_FAILED', `cannot start ${name}: ${cause.message}`, { context: { name, command }, cause });
    this.errno = cause.code;
  }
}
