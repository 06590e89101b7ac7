/** Why a call to a model was cut short: the person stopped it, or a watchdog gave up. */
export type CallStopReason = "stopped" | "upstream_timeout" | "upstream_stalled";

/**
 * The abort signal of one call to a model, and the one reason it was aborted: the person's
 * signal (Stop, shutdown) or a deadline armed while Foyer waits for the upstream. Time spent
 * by the consumer between pieces does not count against a deadline: one is armed only while
 * waiting for the next chunk.
 */
export class CallWatchdog {
  private readonly controller = new AbortController();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private why: CallStopReason | null = null;
  private readonly onStopped = () => this.stop("stopped");

  constructor(private readonly personSignal: AbortSignal) {
    if (personSignal.aborted) this.stop("stopped");
    else personSignal.addEventListener("abort", this.onStopped, { once: true });
  }

  /** Aborted with the first reason to stop; pass it to the request. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** The reason the call was stopped, null while it runs. */
  get reason(): CallStopReason | null {
    return this.why;
  }

  /** Stops the call unless it ends (or `disarm` is called) within `ms`. Replaces any deadline. */
  arm(ms: number, reason: "upstream_timeout" | "upstream_stalled"): void {
    this.disarm();
    this.timer = setTimeout(() => this.stop(reason), ms);
  }

  /** Lifts the current deadline. */
  disarm(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Aborts the call for `reason` (the first reason wins). */
  stop(reason: CallStopReason): void {
    if (this.why !== null) return;
    this.why = reason;
    this.disarm();
    this.controller.abort();
  }

  /** Lets go of the timer and the person's signal; aborts the call unless it `completed`. */
  dispose(completed: boolean): void {
    this.disarm();
    this.personSignal.removeEventListener("abort", this.onStopped);
    if (!completed && !this.controller.signal.aborted) this.controller.abort();
  }
}
