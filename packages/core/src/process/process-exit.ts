/** How a child process ended: its exit code, or the signal that ended it (the other one is null). */
export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** "code 1" or "signal SIGSEGV", for messages. */
export function describeExit(exit: ProcessExit): string {
  return exit.signal ? `signal ${exit.signal}` : `code ${exit.code}`;
}
