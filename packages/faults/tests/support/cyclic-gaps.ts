/**
 * Items skipped in a sequence read from a looping input of `period` distinct items: each step from position a
 * to position b skips (b - a - 1) mod period. A repeated item counts as a whole lap skipped, so duplicates show.
 */
export function cyclicGaps(positions: readonly number[], period: number): number {
  let skipped = 0;
  for (let i = 1; i < positions.length; i++)
    skipped += (((positions[i] - positions[i - 1] - 1) % period) + period) % period;
  return skipped;
}
