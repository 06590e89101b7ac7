/**
 * Closed-loop load: each worker has exactly one request in flight and sends the next the
 * moment the previous one answered, until the window ends. Throughput is answers per
 * second of the window; every answer's latency is kept for percentiles.
 */
export interface LoopResult {
  ops: number;
  errors: number;
  /** From the first send to the last answer. */
  seconds: number;
  latenciesMs: number[];
}

export const perSecond = (r: LoopResult): number => (r.seconds > 0 ? r.ops / r.seconds : 0);

/** Runs `workers` loops of `op(worker, iteration)` for `durationMs`. A throw counts as an error. */
export async function runClosedLoop(
  workers: number,
  durationMs: number,
  op: (worker: number, iteration: number) => Promise<unknown>,
): Promise<LoopResult> {
  const latenciesMs: number[] = [];
  let errors = 0;
  const started = performance.now();
  const deadline = started + durationMs;
  const loop = async (worker: number) => {
    for (let i = 0; performance.now() < deadline; i++) {
      const t0 = performance.now();
      try {
        await op(worker, i);
        latenciesMs.push(performance.now() - t0);
      } catch {
        errors += 1;
        // A failing arm must not spin: back off a little and go on.
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    }
  };
  await Promise.all(Array.from({ length: workers }, (_, w) => loop(w)));
  return {
    ops: latenciesMs.length,
    errors,
    seconds: (performance.now() - started) / 1000,
    latenciesMs,
  };
}
