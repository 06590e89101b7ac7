import { describe, expect, it } from "vitest";
import { createCoalescer } from "./coalescer";

/** A clock and a timer queue the test moves by hand. */
function createFakeTime() {
  let at = 0;
  const timers: { due: number; fn: () => void; cancelled: boolean }[] = [];
  return {
    now: () => at,
    schedule(fn: () => void, ms: number) {
      const timer = { due: at + ms, fn, cancelled: false };
      timers.push(timer);
      return () => {
        timer.cancelled = true;
      };
    },
    /** Moves the clock, running each due timer at its own time. */
    advance(ms: number) {
      const target = at + ms;
      for (;;) {
        const next = timers
          .filter((t) => !t.cancelled && t.due <= target)
          .sort((a, b) => a.due - b.due)[0];
        if (!next) break;
        next.cancelled = true;
        at = next.due;
        next.fn();
      }
      at = target;
    },
  };
}

function setup(windowInMs = 30) {
  const time = createFakeTime();
  const pushes: { offset: number; text: string; at: number }[] = [];
  const coalescer = createCoalescer({
    windowInMs,
    now: time.now,
    schedule: time.schedule,
    emit: (offset, text) => pushes.push({ offset, text, at: time.now() }),
  });
  return { time, pushes, coalescer };
}

describe("createCoalescer", () => {
  it("pushes the first piece at once", () => {
    const { pushes, coalescer } = setup();
    coalescer.push("Hello");
    expect(pushes).toEqual([{ offset: 0, text: "Hello", at: 0 }]);
  });

  it("joins pieces inside the window into one push at its end, with the right offset", () => {
    const { time, pushes, coalescer } = setup();
    coalescer.push("Hel");
    time.advance(5);
    coalescer.push("lo");
    time.advance(5);
    coalescer.push(", wor");
    expect(pushes).toHaveLength(1);
    time.advance(20);
    expect(pushes).toEqual([
      { offset: 0, text: "Hel", at: 0 },
      { offset: 3, text: "lo, wor", at: 30 },
    ]);
    expect(coalescer.pushed).toBe(10);
  });

  it("pushes at once again when the window since the last push has passed", () => {
    const { time, pushes, coalescer } = setup();
    coalescer.push("a");
    time.advance(100);
    coalescer.push("b");
    expect(pushes.map((p) => [p.offset, p.text, p.at])).toEqual([
      [0, "a", 0],
      [1, "b", 100],
    ]);
  });

  it("never holds a piece longer than the window", () => {
    const { time, pushes, coalescer } = setup(30);
    const sentAt: number[] = [];
    for (let i = 0; i < 50; i++) {
      coalescer.push("x");
      sentAt.push(time.now());
      time.advance(7);
    }
    time.advance(30);
    // Each character i was pushed by the push covering offset i.
    for (let i = 0; i < sentAt.length; i++) {
      const push = pushes.find((p) => p.offset <= i && i < p.offset + p.text.length);
      expect(push).toBeDefined();
      expect((push?.at ?? 0) - (sentAt[i] ?? 0)).toBeLessThanOrEqual(30);
    }
  });

  it("pushes are contiguous and add up to the answer", () => {
    const { time, pushes, coalescer } = setup();
    const pieces = ["# Title", "\n\n", "- one", "\n- two", " and", " more"];
    for (const piece of pieces) {
      coalescer.push(piece);
      time.advance(11);
    }
    coalescer.flush();
    let offset = 0;
    for (const push of pushes) {
      expect(push.offset).toBe(offset);
      offset += push.text.length;
    }
    expect(pushes.map((p) => p.text).join("")).toBe(pieces.join(""));
  });

  it("flush pushes what waits now and cancels the timer; empty pieces push nothing", () => {
    const { time, pushes, coalescer } = setup();
    coalescer.push("a");
    coalescer.push("");
    coalescer.push("b");
    coalescer.flush();
    expect(pushes.map((p) => p.text)).toEqual(["a", "b"]);
    time.advance(100);
    expect(pushes).toHaveLength(2);
    coalescer.flush();
    expect(pushes).toHaveLength(2);
  });
});
