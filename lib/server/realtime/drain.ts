/**
 * A node's events in flight, and the drain of a shutdown: once draining, no new event is
 * taken (it answers `unavailable:node`, and the client sends it again on the node it
 * reconnects to, under the same client message id), and the drain resolves when the events
 * already taken are answered, or when the grace runs out.
 */
export interface DrainGate {
  /** Whether a new event may start; when true, `leave` must follow. */
  enter(): boolean;
  leave(): void;
  readonly draining: boolean;
  readonly inFlight: number;
  /** Stops taking events; resolves true once none is in flight, false at the deadline. */
  drain(graceInMs: number): Promise<boolean>;
}

export function createDrainGate(): DrainGate {
  let inFlight = 0;
  let draining = false;
  const idle = new Set<() => void>();
  return {
    enter() {
      if (draining) return false;
      inFlight += 1;
      return true;
    },
    leave() {
      inFlight -= 1;
      if (inFlight === 0) for (const wake of idle) wake();
    },
    get draining() {
      return draining;
    },
    get inFlight() {
      return inFlight;
    },
    async drain(graceInMs) {
      draining = true;
      if (inFlight === 0) return true;
      let timer: ReturnType<typeof setTimeout> | undefined;
      let wake: (() => void) | undefined;
      const done = await Promise.race([
        new Promise<boolean>((resolve) => {
          wake = () => resolve(true);
          idle.add(wake);
        }),
        new Promise<boolean>((resolve) => {
          timer = setTimeout(() => resolve(false), graceInMs);
        }),
      ]);
      clearTimeout(timer);
      if (wake) idle.delete(wake);
      return done;
    },
  };
}
