/** A fault is logged once and its recovery once more: a handful of lines, however long it lasts. */
export const MAX_LOG_LINES = 8;

export interface FaultFigures {
  /** Items the fault cost (taken from the input or queued, never published). */
  lost: number;
  /** From the fault (or its end, for an outage) to the first result published after it. */
  recovery_ms: number;
  /** Lines the component wrote on stderr while the fault lasted and it recovered. */
  log_lines: number;
}

/** The one line per fault the suite prints, for the lead and for trends across runs. */
export function printFaultLine(fault: string, figures: FaultFigures): void {
  process.stdout.write(
    `fault=${fault} lost=${figures.lost} recovery_ms=${Math.round(figures.recovery_ms)} log_lines=${figures.log_lines}\n`,
  );
}
