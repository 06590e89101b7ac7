/** Small order statistics for the benchmark (no dependency needed for these three). */

/** The `q`-quantile (0..1) by linear interpolation between closest ranks; NaN when empty. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const position = (sorted.length - 1) * Math.min(1, Math.max(0, q));
  const low = Math.floor(position);
  const high = Math.ceil(position);
  const lower = sorted[low] ?? Number.NaN;
  const upper = sorted[high] ?? lower;
  return lower + (upper - lower) * (position - low);
}

export const median = (values: readonly number[]): number => quantile(values, 0.5);

export interface Spread {
  median: number;
  min: number;
  max: number;
}

/** Median, min and max of `values` (NaN entries are ignored). */
export function toSpread(values: readonly number[]): Spread {
  const finite = values.filter((v) => Number.isFinite(v));
  if (finite.length === 0) return { median: Number.NaN, min: Number.NaN, max: Number.NaN };
  return { median: median(finite), min: Math.min(...finite), max: Math.max(...finite) };
}
