import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { CallWatchdog } from "./call-watchdog";

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe("CallWatchdog", () => {
  it("aborts with the armed reason when the deadline passes", () => {
    const watchdog = new CallWatchdog(new AbortController().signal);
    watchdog.arm(100, "upstream_timeout");
    vi.advanceTimersByTime(99);
    expect(watchdog.signal.aborted).toBe(false);
    vi.advanceTimersByTime(1);
    expect(watchdog.signal.aborted).toBe(true);
    expect(watchdog.reason).toBe("upstream_timeout");
  });

  it("does not fire once disarmed, and a new deadline replaces the old", () => {
    const watchdog = new CallWatchdog(new AbortController().signal);
    watchdog.arm(100, "upstream_timeout");
    watchdog.disarm();
    vi.advanceTimersByTime(500);
    expect(watchdog.reason).toBeNull();
    watchdog.arm(100, "upstream_timeout");
    vi.advanceTimersByTime(50);
    watchdog.arm(100, "upstream_stalled");
    vi.advanceTimersByTime(99);
    expect(watchdog.reason).toBeNull();
    vi.advanceTimersByTime(1);
    expect(watchdog.reason).toBe("upstream_stalled");
  });

  it("is stopped by the person's signal, now or later, and the first reason wins", () => {
    const early = new AbortController();
    early.abort();
    expect(new CallWatchdog(early.signal).reason).toBe("stopped");

    const person = new AbortController();
    const watchdog = new CallWatchdog(person.signal);
    watchdog.arm(100, "upstream_timeout");
    person.abort();
    vi.advanceTimersByTime(200);
    expect(watchdog.reason).toBe("stopped");
  });

  it("aborts an unfinished call on dispose, and leaves a completed one alone", () => {
    const unfinished = new CallWatchdog(new AbortController().signal);
    unfinished.dispose(false);
    expect(unfinished.signal.aborted).toBe(true);
    const person = new AbortController();
    const completed = new CallWatchdog(person.signal);
    completed.arm(100, "upstream_stalled");
    completed.dispose(true);
    person.abort();
    vi.advanceTimersByTime(200);
    expect(completed.signal.aborted).toBe(false);
    expect(completed.reason).toBeNull();
  });
});
