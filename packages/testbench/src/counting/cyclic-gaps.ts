/**
 * Items skipped in a sequence read from a looping input of `period` distinct items: each step from position a
 * to position b skips (b - a - 1) mod period. A repeated item counts as a whole lap skipped, so duplicates show
 * (dedupe first where a redelivery is legitimate). Faults tests and the soak count lost results with it.
 */
export function cyclicGaps(positions: readonly number[], period: number): number {
  let skipped = 0;
  for (let i = 1; i < positions.length; i++) skipped += gapBetween(positions[i - 1], positions[i], period);
  return skipped;
}

/** Items skipped stepping from position a to position b of a loop of `period` items. */
export function gapBetween(a: number, b: number, period: number): number {
  return (((b - a - 1) % period) + period) % period;
}
