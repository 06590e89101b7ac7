/**
 * Milliseconds on CLOCK_MONOTONIC, which every process on the machine shares: a time taken
 * in one server process (a revoke's answer) and one taken in another (an event's check)
 * compare directly. `performance.now()` is relative to each process's own start.
 */
export function monoMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}
