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
  let idle: (() => void) | null = null;
  return {
    enter() {
      if (draining) return false;
      inFlight += 1;
      return true;
    },
    leave() {
      inFlight -= 1;
      if (inFlight === 0) idle?.();
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
      const done = await Promise.race([
        new Promise<boolean>((resolve) => {
          idle = () => resolve(true);
        }),
        new Promise<boolean>((resolve) => {
          timer = setTimeout(() => resolve(false), graceInMs);
        }),
      ]);
      clearTimeout(timer);
      idle = null;
      return done;
    },
  };
}
